// source.cpp — pipeline data sources: validation without reading payloads,
// header-only inspection for shape checks, loading, and the protocols
// (one-vs-rest class filter and relabelling, ID vs OOD pairs, limit).
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil::data {

std::vector<int64_t> first_image_shape(const std::string &dir, int channels);  // images.cpp

namespace {

std::string resolve(const std::string &base, const std::string &p) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base) / p).lexically_normal().string();
}

// Per format: required file keys, optional file keys, other allowed keys.
struct FormatKeys {
    std::vector<std::string> required, optional_files, other;
};
const std::map<std::string, FormatKeys> &formats() {
    static const std::map<std::string, FormatKeys> f = {
        {"idx", {{"images"}, {"labels"}, {}}},
        {"cifar", {{"files"}, {}, {}}},
        {"npy", {{"images"}, {"labels"}, {}}},
        {"csv", {{"path"}, {}, {"label_column", "header"}}},
        {"images", {{"path"}, {}, {"channels"}}},
    };
    return f;
}

bool has_labels(const json &src) {
    const std::string fmt = src.value("format", "");
    if (fmt == "cifar") return true;
    if (fmt == "idx" || fmt == "npy") return src.contains("labels");
    if (fmt == "csv") return src.contains("label_column");
    if (fmt == "images") return true;  // from class subfolders, checked when read
    return false;
}

void check_int_list(const json &src, const char *key, const std::string &path, std::vector<std::string> &err) {
    if (!src.contains(key)) return;
    const json &v = src[key];
    bool ok = v.is_array() && !v.empty();
    if (ok)
        for (const auto &e : v) ok = ok && e.is_number_integer();
    if (!ok) err.push_back(path + "/" + key + ": must be a non-empty array of integer class labels, got " + v.dump());
}

std::vector<int32_t> int_list(const json &v) { return v.get<std::vector<int32_t>>(); }

} // namespace

std::vector<std::string> check_source(const json &src, const std::string &base, const std::string &path) {
    std::vector<std::string> err;
    if (!src.is_object()) {
        err.push_back(path + ": a data source must be an object with a \"format\"");
        return err;
    }
    if (src.contains("in") || src.contains("ood")) {
        for (auto it = src.begin(); it != src.end(); ++it)
            if (it.key() != "in" && it.key() != "ood")
                err.push_back(path + "/" + it.key() + ": unknown key in an ID-vs-OOD pair (allowed: in, ood)");
        for (const char *part : {"in", "ood"}) {
            if (!src.contains(part)) err.push_back(path + ": an ID-vs-OOD pair needs both 'in' and 'ood'");
            else {
                auto e = check_source(src[part], base, path + "/" + part);
                err.insert(err.end(), e.begin(), e.end());
            }
        }
        return err;
    }
    if (!src.contains("format") || !src["format"].is_string()) {
        err.push_back(path + ": missing \"format\" (one of idx, cifar, npy, csv, images)");
        return err;
    }
    const std::string fmt = src["format"];
    auto f = formats().find(fmt);
    if (f == formats().end()) {
        err.push_back(path + "/format: unknown format '" + fmt + "' (one of idx, cifar, npy, csv, images)");
        return err;
    }
    std::set<std::string> allowed = {"format", "classes", "normal", "limit"};
    for (const auto &k : f->second.required) allowed.insert(k);
    for (const auto &k : f->second.optional_files) allowed.insert(k);
    for (const auto &k : f->second.other) allowed.insert(k);
    for (auto it = src.begin(); it != src.end(); ++it)
        if (!allowed.count(it.key())) {
            std::string list;
            for (const auto &a : allowed) list += (list.empty() ? "" : ", ") + a;
            err.push_back(path + "/" + it.key() + ": unknown key '" + it.key() + "' for format " + fmt + " (allowed: " + list + ")");
        }
    auto check_file = [&](const std::string &key, const json &v, const std::string &p, bool dir) {
        if (!v.is_string() || v.get<std::string>().empty()) {
            err.push_back(p + ": must be a path (string)");
            return;
        }
        const std::string full = resolve(base, v);
        std::error_code ec;
        if (dir ? !fs::is_directory(full, ec) : !fs::is_regular_file(full, ec))
            err.push_back(p + ": " + (dir ? "folder" : "file") + " not found: " + full);
        (void)key;
    };
    for (const auto &k : f->second.required) {
        if (!src.contains(k)) {
            err.push_back(path + ": missing key '" + k + "' for format " + fmt);
            continue;
        }
        if (k == "files") {
            if (!src[k].is_array() || src[k].empty()) err.push_back(path + "/files: must be a non-empty array of paths");
            else
                for (size_t i = 0; i < src[k].size(); ++i) check_file(k, src[k][i], path + "/files/" + std::to_string(i), false);
        } else {
            check_file(k, src[k], path + "/" + k, fmt == "images");
        }
    }
    for (const auto &k : f->second.optional_files)
        if (src.contains(k)) check_file(k, src[k], path + "/" + k, false);
    if (src.contains("channels") && !(src["channels"].is_number_integer() &&
                                      (src["channels"] == 0 || src["channels"] == 1 || src["channels"] == 3)))
        err.push_back(path + "/channels: must be 0 (as stored), 1 or 3");
    if (src.contains("header") && !(src["header"].is_boolean() || src["header"] == "auto"))
        err.push_back(path + "/header: must be true, false or \"auto\"");
    if (src.contains("label_column") && !(src["label_column"].is_string() || src["label_column"].is_number_unsigned()))
        err.push_back(path + "/label_column: must be a column name or a 0-based column index");
    if (src.contains("limit") && !(src["limit"].is_number_integer() && src["limit"].get<int64_t>() >= 1))
        err.push_back(path + "/limit: must be an integer >= 1");
    check_int_list(src, "classes", path, err);
    check_int_list(src, "normal", path, err);
    for (const char *k : {"classes", "normal"})
        if (src.contains(k) && !has_labels(src))
            err.push_back(path + "/" + k + ": needs labels, but this source has none");
    return err;
}

SourceInfo inspect_source(const json &src, const std::string &base, const std::string &path) {
    if (src.contains("in")) {
        SourceInfo a = inspect_source(src["in"], base, path + "/in");
        SourceInfo b = inspect_source(src["ood"], base, path + "/ood");
        if (a.sample_shape != b.sample_shape) {
            auto str = [](const std::vector<int64_t> &s) {
                std::string o;
                for (size_t i = 0; i < s.size(); ++i) o += (i ? "x" : "") + std::to_string(s[i]);
                return o;
            };
            throw_pipeline(path + "/ood: per-sample shape " + str(b.sample_shape) + " differs from " + path + "/in's " +
                           str(a.sample_shape));
        }
        a.count = (a.count >= 0 && b.count >= 0) ? a.count + b.count : -1;
        a.labelled = true;
        return a;
    }
    SourceInfo info;
    const std::string fmt = src.at("format");
    info.labelled = has_labels(src);
    try {
        if (fmt == "idx") {
            const std::string p = resolve(base, src["images"]);
            const std::string h = detail::read_prefix(p, 16);
            if (h.size() < 4 || h[0] != 0 || h[1] != 0 || static_cast<unsigned char>(h[2]) != 8)
                throw_input(p + ": not an IDX file of unsigned bytes (bad magic)");
            const int rank = static_cast<unsigned char>(h[3]);
            if (rank < 2 || rank > 4 || h.size() < size_t(4 + 4 * rank)) throw_input(p + ": not an IDX image file");
            std::vector<int64_t> dims;
            for (int i = 0; i < rank; ++i) {
                const auto *q = reinterpret_cast<const unsigned char *>(h.data() + 4 + 4 * i);
                dims.push_back((int64_t(q[0]) << 24) | (q[1] << 16) | (q[2] << 8) | q[3]);
            }
            info.count = dims[0];
            info.sample_shape = rank == 3 ? std::vector<int64_t>{1, dims[1], dims[2]} : std::vector<int64_t>(dims.begin() + 1, dims.end());
        } else if (fmt == "cifar") {
            info.sample_shape = {3, 32, 32};
        } else if (fmt == "npy") {
            // Headers are small: read a prefix and parse it as a whole file would be.
            const std::string p = resolve(base, src["images"]);
            Tensor t;
            const std::string h = detail::read_prefix(p, 4096);
            const auto s = h.find("'shape'");
            if (h.compare(0, 6, "\x93NUMPY") != 0 || s == std::string::npos) throw_input(p + ": not a NumPy .npy file");
            const auto open = h.find('(', s), close = h.find(')', s);
            std::vector<int64_t> dims;
            std::string num;
            for (size_t i = open + 1; i <= close; ++i) {
                if (std::isdigit(static_cast<unsigned char>(h[i]))) num += h[i];
                else if (!num.empty()) dims.push_back(std::stoll(num)), num.clear();
            }
            if (dims.empty()) throw_input(p + ": a 0-d array holds no samples");
            info.count = dims[0];
            info.sample_shape.assign(dims.begin() + 1, dims.end());
            info.dtype = h.find("<f") != std::string::npos ? VIGIL_DTYPE_FLOAT32 : VIGIL_DTYPE_UINT8;
        } else if (fmt == "csv") {
            // Column count from a full parse would be exact but slow; CSV tables are small.
            Dataset d = load_source(src, base, path);
            info.count = d.x.samples();
            info.sample_shape = d.x.sample_shape();
            info.dtype = VIGIL_DTYPE_FLOAT32;
        } else if (fmt == "images") {
            info.sample_shape = first_image_shape(resolve(base, src["path"]), src.value("channels", 0));
        }
    } catch (const Error &e) {
        throw Error(ErrorKind::Input, path + ": " + e.what());
    }
    return info;
}

Dataset keep_classes(Dataset ds, const std::vector<int32_t> &classes) {
    if (ds.labels.empty()) throw_input(ds.origin + ": cannot keep classes of unlabelled data");
    std::vector<int64_t> idx;
    for (size_t i = 0; i < ds.labels.size(); ++i)
        if (std::find(classes.begin(), classes.end(), ds.labels[i]) != classes.end()) idx.push_back(static_cast<int64_t>(i));
    Dataset out;
    out.x = ds.x.gather(idx);
    for (auto i : idx) {
        out.labels.push_back(ds.labels[i]);
        if (!ds.names.empty()) out.names.push_back(ds.names[i]);
    }
    out.class_names = ds.class_names;
    out.origin = ds.origin;
    return out;
}

Dataset one_vs_rest(Dataset ds, const std::vector<int32_t> &normal) {
    if (ds.labels.empty()) throw_input(ds.origin + ": cannot relabel unlabelled data");
    for (auto &l : ds.labels) l = std::find(normal.begin(), normal.end(), l) != normal.end() ? 0 : 1;
    return ds;
}

Dataset id_vs_ood(Dataset in, Dataset ood) {
    Dataset out;
    out.x = Tensor::concat(in.x, ood.x);
    out.labels.assign(static_cast<size_t>(in.x.samples()), 0);
    out.labels.resize(static_cast<size_t>(out.x.samples()), 1);
    if (!in.names.empty() && !ood.names.empty()) {
        out.names = in.names;
        out.names.insert(out.names.end(), ood.names.begin(), ood.names.end());
    }
    out.origin = in.origin + " vs " + ood.origin;
    return out;
}

Dataset limit(Dataset ds, int64_t n) {
    if (n >= ds.x.samples()) return ds;
    ds.x = ds.x.slice(0, n);
    if (!ds.labels.empty()) ds.labels.resize(static_cast<size_t>(n));
    if (!ds.names.empty()) ds.names.resize(static_cast<size_t>(n));
    return ds;
}

Dataset load_source(const json &src, const std::string &base, const std::string &path) {
    if (src.contains("in"))
        return id_vs_ood(load_source(src["in"], base, path + "/in"), load_source(src["ood"], base, path + "/ood"));
    const std::string fmt = src.at("format");
    Dataset ds;
    try {
        auto file = [&](const char *k) { return src.contains(k) ? resolve(base, src[k]) : std::string(); };
        if (fmt == "idx") ds = read_idx(file("images"), file("labels"));
        else if (fmt == "npy") ds = read_npy_dataset(file("images"), file("labels"));
        else if (fmt == "cifar") {
            std::vector<std::string> files;
            for (const auto &f : src["files"]) files.push_back(resolve(base, f));
            ds = read_cifar(files);
        } else if (fmt == "csv") {
            CsvOptions o;
            if (src.contains("label_column"))
                o.label_column = src["label_column"].is_string() ? src["label_column"].get<std::string>()
                                                                 : std::to_string(src["label_column"].get<int64_t>());
            if (src.contains("header")) o.header = src["header"].is_boolean() ? (src["header"].get<bool>() ? "true" : "false") : "auto";
            ds = read_csv(file("path"), o);
        } else if (fmt == "images") {
            ImageFolderOptions o;
            o.channels = src.value("channels", 0);
            ds = read_image_folder(file("path"), o);
        } else {
            throw_input("unknown format '" + fmt + "'");
        }
    } catch (const Error &e) {
        throw Error(ErrorKind::Input, path + ": " + e.what());
    }
    if (src.contains("classes")) {
        if (ds.labels.empty()) throw_input(path + "/classes: the data has no labels");
        const auto classes = int_list(src["classes"]);
        ds = keep_classes(std::move(ds), classes);
        if (ds.x.samples() == 0) throw_input(path + "/classes: no sample has any of the classes " + src["classes"].dump());
    }
    if (src.contains("normal")) {
        if (ds.labels.empty()) throw_input(path + "/normal: the data has no labels");
        ds = one_vs_rest(std::move(ds), int_list(src["normal"]));
    }
    if (src.contains("limit")) ds = limit(std::move(ds), src["limit"].get<int64_t>());
    return ds;
}

Dataset load_path(const std::string &path, const std::string &format) {
    std::string fmt = format;
    std::error_code ec;
    if (fmt == "auto") {
        const std::string name = fs::path(path).filename().string();
        if (fs::is_directory(path, ec)) fmt = "images";
        else if (detail::ends_with(name, ".npy")) fmt = "npy";
        else if (detail::ends_with(name, ".csv")) fmt = "csv";
        else if (name.find("idx3-ubyte") != std::string::npos || name.find("idx3") != std::string::npos) fmt = "idx";
        else if (detail::ends_with(name, ".bin") || detail::ends_with(name, ".bin.gz")) fmt = "cifar";
        else
            throw_input(path + ": cannot tell the format from the name; give --format (images, npy, csv, idx, cifar)");
    }
    if (fmt == "images") return read_image_folder(path);
    if (fmt == "npy") return read_npy_dataset(path);
    if (fmt == "csv") {
        CsvOptions o;
        // A column named "label" holds labels; anything else is a feature.
        const std::string head = detail::read_prefix(path, 1 << 16);
        const std::string first = head.substr(0, head.find('\n'));
        if (("," + first + ",").find(",label,") != std::string::npos) o.label_column = "label";
        return read_csv(path, o);
    }
    if (fmt == "idx") return read_idx(path);
    if (fmt == "cifar") return read_cifar({path});
    throw_input("unknown format '" + fmt + "' (images, npy, csv, idx, cifar)");
}

} // namespace vigil::data
