// source.cpp — pipeline data sources: validation without reading payloads,
// header-only inspection for shape checks, and loading with the protocols
// applied (classes → normal → limit; {"in", "ood"} pairs).
#include "file_bytes.hpp"
#include "peek.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil::data {
namespace {

const char *const kFormats = "one of idx, cifar, npy, csv, images";

// A problem found by the check; `file` = a path that does not exist (an input
// problem, not a mistake in the pipeline's structure).
struct Issue {
    std::string msg;
    bool file = false;
};

std::string resolve(const std::string &base, const std::string &p) {
    if (p.empty() || fs::path(p).is_absolute() || base.empty()) return p;
    return (fs::path(base) / p).lexically_normal().string();
}

// JSON Pointer escaping of one key (RFC 6901).
std::string ptr_key(const std::string &k) {
    std::string o;
    for (char c : k) o += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return o;
}

size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

struct FormatKeys {
    std::vector<std::string> files;  // keys holding paths (first = required payload)
    std::vector<std::string> required;
    std::vector<std::string> other;
};
const std::map<std::string, FormatKeys> &formats() {
    static const std::map<std::string, FormatKeys> f = {
        {"idx", {{"images", "labels"}, {"images"}, {}}},
        {"cifar", {{"files"}, {"files"}, {}}},
        {"npy", {{"images", "labels"}, {"images"}, {}}},
        {"csv", {{"path"}, {"path"}, {"label_column", "header"}}},
        {"images", {{"path"}, {"path"}, {"channels"}}},
    };
    return f;
}

bool is_pair(const json &src) { return src.is_object() && (src.contains("in") || src.contains("ood")); }

bool folder_has_classes(const std::string &dir) {
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (!n.empty() && n[0] != '.' && e.is_directory(ec)) return true;
    }
    return false;
}

// Whether the source yields labels, and if not, what would give it some.
bool labelled(const json &src, const std::string &base, std::string &hint) {
    const std::string fmt = src.value("format", "");
    if (fmt == "cifar") return true;
    if (fmt == "idx" || fmt == "npy") {
        hint = "add \"labels\"";
        return src.contains("labels");
    }
    if (fmt == "csv") {
        hint = "add \"label_column\"";
        return src.contains("label_column");
    }
    if (fmt == "images") {
        hint = "the folder has no class subfolders";
        if (!src.contains("path") || !src["path"].is_string()) return true;  // reported elsewhere
        const std::string dir = resolve(base, src["path"].get<std::string>());
        std::error_code ec;
        return !fs::is_directory(dir, ec) || folder_has_classes(dir);
    }
    return false;
}

bool int_list_ok(const json &v) {
    if (!v.is_array() || v.empty()) return false;
    for (const auto &e : v)
        if (!e.is_number_integer() || e.get<int64_t>() < std::numeric_limits<int32_t>::min() ||
            e.get<int64_t>() > std::numeric_limits<int32_t>::max())
            return false;
    return true;
}

void check_plain(const json &src, const std::string &base, const std::string &path, std::vector<Issue> &out) {
    auto add = [&](const std::string &where, const std::string &msg, bool file = false) { out.push_back({where + ": " + msg, file}); };
    if (!src.contains("format")) {
        add(path, std::string("missing key 'format' (") + kFormats + ")");
        return;
    }
    if (!src["format"].is_string()) {
        add(path + "/format", std::string("must be a string (") + kFormats + "), got " + src["format"].dump());
        return;
    }
    const std::string fmt = src["format"];
    const auto f = formats().find(fmt);
    if (f == formats().end()) {
        add(path + "/format", "unknown format '" + fmt + "' (" + kFormats + ")");
        return;
    }
    const FormatKeys &keys = f->second;
    std::set<std::string> allowed = {"format", "classes", "normal", "limit"};
    allowed.insert(keys.files.begin(), keys.files.end());
    allowed.insert(keys.other.begin(), keys.other.end());
    for (auto it = src.begin(); it != src.end(); ++it) {
        if (allowed.count(it.key())) continue;
        std::string list, near;
        size_t best = 3;
        for (const auto &a : allowed) {
            list += (list.empty() ? "" : ", ") + a;
            if (const size_t d = edit_distance(it.key(), a); d < best) best = d, near = a;
        }
        add(path + "/" + ptr_key(it.key()), "unknown key '" + it.key() + "' for format " + fmt +
                                                (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; allowed: " + list);
    }
    for (const auto &k : keys.required)
        if (!src.contains(k)) add(path, "missing key '" + k + "' for format " + fmt);

    const bool want_dir = fmt == "images";
    auto check_path = [&](const json &v, const std::string &where) {
        if (!v.is_string() || v.get<std::string>().empty()) {
            add(where, "must be a non-empty path string, got " + v.dump());
            return;
        }
        const std::string full = resolve(base, v.get<std::string>());
        std::error_code ec;
        if (!fs::exists(full, ec)) add(where, std::string(want_dir ? "folder" : "file") + " not found: " + full, true);
        else if (want_dir && !fs::is_directory(full, ec)) add(where, "not a folder: " + full);
        else if (!want_dir && fs::is_directory(full, ec)) add(where, "is a folder, expected a file: " + full);
    };
    for (const auto &k : keys.files) {
        if (!src.contains(k)) continue;
        const json &v = src[k];
        if (k == "files") {
            if (!v.is_array() || v.empty()) add(path + "/files", "must be a non-empty array of paths, got " + v.dump());
            else
                for (size_t i = 0; i < v.size(); ++i) check_path(v[i], path + "/files/" + std::to_string(i));
        } else {
            check_path(v, path + "/" + k);
        }
    }
    if (src.contains("channels")) {
        const json &c = src["channels"];
        if (!c.is_number_integer() || (c != 0 && c != 1 && c != 3))
            add(path + "/channels", "must be 0 (as stored), 1 (grey) or 3 (RGB), got " + c.dump());
    }
    if (src.contains("header") && !(src["header"].is_boolean() || src["header"] == "auto"))
        add(path + "/header", "must be true, false or \"auto\", got " + src["header"].dump());
    if (src.contains("label_column")) {
        const json &c = src["label_column"];
        const bool ok = (c.is_string() && !c.get<std::string>().empty()) || (c.is_number_integer() && c.get<int64_t>() >= 0);
        if (!ok) add(path + "/label_column", "must be a column name or a 0-based column index, got " + c.dump());
    }
    if (src.contains("limit") && !(src["limit"].is_number_integer() && src["limit"].get<int64_t>() >= 1))
        add(path + "/limit", "must be an integer >= 1, got " + src["limit"].dump());
    bool lists_ok = true;
    for (const char *k : {"classes", "normal"}) {
        if (!src.contains(k)) continue;
        if (!int_list_ok(src[k])) {
            add(path + "/" + k, "must be a non-empty array of integer labels, got " + src[k].dump());
            lists_ok = false;
            continue;
        }
        std::string hint;
        if (!labelled(src, base, hint)) add(path + "/" + k, "needs labels, but this source has none (" + hint + ")");
    }
    if (lists_ok && src.contains("classes") && src.contains("normal")) {
        const auto classes = src["classes"].get<std::vector<int32_t>>();
        bool any = false;
        for (int32_t c : src["normal"].get<std::vector<int32_t>>())
            any = any || std::find(classes.begin(), classes.end(), c) != classes.end();
        if (!any)
            add(path + "/normal", "none of " + src["normal"].dump() + " is among the kept classes " + src["classes"].dump() +
                                      ", so no sample would be normal");
    }
}

void check_into(const json &src, const std::string &base, const std::string &path, std::vector<Issue> &out) {
    if (!src.is_object()) {
        out.push_back({path + ": a data source must be an object with a \"format\", or {\"in\": SOURCE, \"ood\": SOURCE}", false});
        return;
    }
    if (!is_pair(src)) return check_plain(src, base, path, out);
    for (auto it = src.begin(); it != src.end(); ++it)
        if (it.key() != "in" && it.key() != "ood")
            out.push_back({path + "/" + ptr_key(it.key()) + ": unknown key '" + it.key() +
                               "' in an in-distribution/OOD pair (allowed: in, ood; put other keys inside each source)",
                           false});
    for (const char *part : {"in", "ood"}) {
        if (!src.contains(part))
            out.push_back({path + ": missing key '" + part + "' (an in-distribution/OOD pair needs both 'in' and 'ood')", false});
        else check_into(src[part], base, path + "/" + part, out);
    }
}

// Throws when the source is invalid: Input when only files are missing, else Pipeline.
void require_valid(const json &src, const std::string &base, const std::string &path) {
    std::vector<Issue> issues;
    check_into(src, base, path, issues);
    if (issues.empty()) return;
    std::string msg;
    bool only_files = true;
    for (const auto &i : issues) {
        msg += (msg.empty() ? "" : "; ") + i.msg;
        only_files = only_files && i.file;
    }
    throw Error(only_files ? ErrorKind::Input : ErrorKind::Pipeline, msg);
}

// Reader errors gain the JSON path in front: "/data/test: /x/t.npy: truncated...".
template <class F> auto at_path(const std::string &path, F &&f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error &e) {
        throw Error(e.kind(), path + ": " + e.what());
    }
}

std::string path_of(const json &src, const char *key, const std::string &base) {
    return src.contains(key) ? resolve(base, src[key].get<std::string>()) : std::string();
}

CsvOptions csv_options(const json &src) {
    CsvOptions o;
    if (src.contains("label_column"))
        o.label_column = src["label_column"].is_string() ? src["label_column"].get<std::string>()
                                                         : std::to_string(src["label_column"].get<int64_t>());
    if (src.contains("header") && src["header"].is_boolean()) o.header = src["header"].get<bool>() ? "true" : "false";
    return o;
}

// Header-only look at a valid plain source, before its protocol keys.
SourceInfo inspect_plain(const json &src, const std::string &base) {
    SourceInfo info;
    std::string hint;
    info.labelled = labelled(src, base, hint);
    const std::string fmt = src["format"];
    if (fmt == "idx") {
        const std::string images = path_of(src, "images", base);
        const detail::IdxHeader h = detail::peek_idx(images);
        if (h.dims.size() < 2) throw_input(images + ": IDX images need rank 2 to 4, got rank 1 (is this a labels file?)");
        info.count = h.dims[0];
        info.sample_shape = detail::idx_sample_shape(h.dims);
        if (src.contains("labels")) {
            const std::string labels = path_of(src, "labels", base);
            const detail::IdxHeader lh = detail::peek_idx(labels);
            if (lh.dims.size() != 1)
                throw_input(labels + ": IDX labels must have rank 1, got rank " + std::to_string(lh.dims.size()));
            if (lh.dims[0] != h.dims[0])
                throw_input(labels + ": holds " + std::to_string(lh.dims[0]) + " labels but " + images + " holds " +
                            std::to_string(h.dims[0]) + " images");
        }
    } else if (fmt == "cifar") {
        info.sample_shape = {3, 32, 32};
        // Plain batches tell their record count by size; gzipped ones only when inflated.
        info.count = 0;
        for (const auto &f : src["files"]) {
            const std::string file = resolve(base, f.get<std::string>());
            const std::string magic = detail::read_raw_prefix(file, 2);
            if (magic == "\x1f\x8b") {
                info.count = -1;
                continue;
            }
            std::error_code ec;
            const auto size = fs::file_size(file, ec);
            if (ec) throw_input(file + ": cannot read the file size");
            if (size == 0 || size % 3073 != 0)
                throw_input(file + ": not a CIFAR-10 binary batch: " + std::to_string(size) +
                            " bytes is not a whole number of 3073-byte records");
            if (info.count >= 0) info.count += static_cast<int64_t>(size / 3073);
        }
    } else if (fmt == "npy") {
        const std::string images = path_of(src, "images", base);
        const detail::NpyHeader h = detail::peek_npy(images);
        if (h.fortran) throw_input(images + ": Fortran-ordered (column-major) arrays are not supported; save with np.ascontiguousarray");
        if (h.shape.empty()) throw_input(images + ": a 0-d array holds no samples (need rank >= 1)");
        info.dtype = detail::npy_result_dtype(h.descr, images);
        if (info.dtype == VIGIL_DTYPE_INT32)
            throw_input(images + ": sample data must be uint8 ('|u1') or float ('<f4', '<f8'), got '" + h.descr + "'");
        info.count = h.shape[0];
        info.sample_shape.assign(h.shape.begin() + 1, h.shape.end());
        if (src.contains("labels")) {
            const std::string labels = path_of(src, "labels", base);
            const detail::NpyHeader lh = detail::peek_npy(labels);
            if (detail::npy_result_dtype(lh.descr, labels) == VIGIL_DTYPE_FLOAT32)
                throw_input(labels + ": labels must be integers ('<i4', '<i8' or '|u1'), got '" + lh.descr + "'");
            if (lh.shape.size() != 1) throw_input(labels + ": labels must be a 1-d array, got shape " + detail::shape_text(lh.shape));
            if (lh.shape[0] != h.shape[0])
                throw_input(labels + ": holds " + std::to_string(lh.shape[0]) + " labels but " + images + " holds " +
                            std::to_string(h.shape[0]) + " samples");
        }
    } else if (fmt == "csv") {
        const detail::CsvLayout l = detail::peek_csv(path_of(src, "path", base), csv_options(src));
        info.dtype = VIGIL_DTYPE_FLOAT32;
        info.sample_shape = {static_cast<int64_t>(l.columns) - (l.label_column >= 0 ? 1 : 0)};
        if (info.sample_shape[0] <= 0) throw_input(path_of(src, "path", base) + ": the CSV has no feature columns");
    } else if (fmt == "images") {
        const detail::ImageFolderListing list = detail::list_image_folder(path_of(src, "path", base));
        info.count = static_cast<int64_t>(list.files.size());
        info.sample_shape = detail::first_image_shape(list.files.front(), src.value("channels", 0));
        info.labelled = !list.labels.empty();
    }
    return info;
}

std::string label_summary(const std::vector<int32_t> &labels) {
    std::set<int32_t> distinct(labels.begin(), labels.end());
    if (distinct.empty()) return "none";
    if (distinct.size() > 12) return std::to_string(*distinct.begin()) + ".." + std::to_string(*distinct.rbegin());
    std::string s;
    for (int32_t l : distinct) s += (s.empty() ? "" : ", ") + std::to_string(l);
    return s;
}

Dataset read_plain(const json &src, const std::string &base) {
    const std::string fmt = src["format"];
    if (fmt == "idx") return read_idx(path_of(src, "images", base), path_of(src, "labels", base));
    if (fmt == "npy") return read_npy_dataset(path_of(src, "images", base), path_of(src, "labels", base));
    if (fmt == "cifar") {
        std::vector<std::string> files;
        for (const auto &f : src["files"]) files.push_back(resolve(base, f.get<std::string>()));
        return read_cifar(files);
    }
    if (fmt == "csv") return read_csv(path_of(src, "path", base), csv_options(src));
    ImageFolderOptions o;
    o.channels = src.value("channels", 0);
    return read_image_folder(path_of(src, "path", base), o);
}

} // namespace

std::vector<std::string> check_source(const json &src, const std::string &base, const std::string &path) {
    std::vector<Issue> issues;
    check_into(src, base, path, issues);
    std::vector<std::string> out;
    for (auto &i : issues) out.push_back(std::move(i.msg));
    return out;
}

SourceInfo inspect_source(const json &src, const std::string &base, const std::string &path) {
    require_valid(src, base, path);
    if (is_pair(src)) {
        const SourceInfo a = inspect_source(src["in"], base, path + "/in");
        const SourceInfo b = inspect_source(src["ood"], base, path + "/ood");
        if (a.sample_shape != b.sample_shape)
            throw_pipeline(path + "/ood: per-sample shape " + detail::shape_text(b.sample_shape) + " differs from " + path +
                           "/in's " + detail::shape_text(a.sample_shape));
        SourceInfo info = a;
        info.count = a.count >= 0 && b.count >= 0 ? a.count + b.count : -1;
        info.dtype = a.dtype == b.dtype ? a.dtype : VIGIL_DTYPE_FLOAT32;
        info.labelled = true;
        return info;
    }
    SourceInfo info = at_path(path, [&] { return inspect_plain(src, base); });
    if (src.contains("classes")) info.count = -1;  // depends on the labels
    if (src.contains("normal")) info.labelled = true;
    if (src.contains("limit") && info.count >= 0) info.count = std::min(info.count, src["limit"].get<int64_t>());
    return info;
}

Dataset load_source(const json &src, const std::string &base, const std::string &path) {
    require_valid(src, base, path);
    if (is_pair(src)) {
        Dataset in = load_source(src["in"], base, path + "/in");
        Dataset ood = load_source(src["ood"], base, path + "/ood");
        if (in.x.sample_shape() != ood.x.sample_shape())
            throw_input(path + "/ood: per-sample shape " + detail::shape_text(ood.x.sample_shape()) + " differs from " + path +
                        "/in's " + detail::shape_text(in.x.sample_shape()));
        return id_vs_ood(std::move(in), std::move(ood));
    }
    Dataset ds = at_path(path, [&] { return read_plain(src, base); });
    if (src.contains("classes")) {
        const auto classes = src["classes"].get<std::vector<int32_t>>();
        if (ds.labels.empty()) throw_input(path + "/classes: the data has no labels");
        const std::string present = label_summary(ds.labels);
        ds = keep_classes(std::move(ds), classes);
        if (ds.x.samples() == 0)
            throw_input(path + "/classes: no sample has any of the classes " + src["classes"].dump() + " (the labels are " +
                        present + ")");
    }
    if (src.contains("normal")) {
        const auto normal = src["normal"].get<std::vector<int32_t>>();
        if (ds.labels.empty()) throw_input(path + "/normal: the data has no labels");
        const std::string present = label_summary(ds.labels);
        ds = one_vs_rest(std::move(ds), normal);
        if (std::find(ds.labels.begin(), ds.labels.end(), 0) == ds.labels.end())
            throw_input(path + "/normal: no sample has any of the classes " + src["normal"].dump() + " (the labels are " +
                        present + ")");
    }
    if (src.contains("limit")) ds = limit(std::move(ds), src["limit"].get<int64_t>());
    return ds;
}

} // namespace vigil::data
