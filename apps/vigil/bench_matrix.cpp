// bench_matrix.cpp — reads a `vigil bench` matrix, checks every field (one
// message per problem, each with its JSON path) and expands it into cells.
//
// Decisions:
// - Data paths relative to the matrix file resolve against its folder, as a
//   pipeline's do against its own. The hash is taken over the paths *as
//   written*, so the same matrix hashes the same in any checkout; the files
//   actually run get absolute paths.
// - A peer cell's hash covers the peer script's contents, so editing a peer
//   invalidates its stored results the way editing a pipeline does.
// - The benchmark adds `classes` / `normal` to the sources for one-vs-rest
//   itself; a dataset that already filters its sources is refused rather than
//   silently combined.
#include "bench_matrix.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>
#include <vigil/framework/pipeline.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil::bench {

std::string fnv1a_hex(const std::string &text) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string canonical(const json &spec) {
    json j = spec;
    if (j.is_object()) j.erase("name");
    return j.dump();  // nlohmann's object is an ordered std::map: keys come out sorted
}

std::string file_stem(const std::string &id) {
    std::string s;
    for (char c : id) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
    return s + "-" + fnv1a_hex(id).substr(0, 8);  // sanitising may merge ids; the suffix keeps them apart
}

const DatasetInfo &Matrix::dataset(const std::string &n) const {
    for (const auto &d : datasets)
        if (d.name == n) return d;
    throw Error(ErrorKind::Internal, "unknown dataset " + n);
}

namespace {

struct Problems {
    std::vector<std::string> list;
    void add(const std::string &path, const std::string &what) { list.push_back(path + ": " + what); }
};

bool is_source_pair(const json &src) { return src.is_object() && (src.contains("in") || src.contains("ood")); }

std::string absolute(const std::string &p, const std::string &base) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base) / p).lexically_normal().string();
}

// The same source with every file path made absolute (for files run elsewhere).
json absolutize(json src, const std::string &base) {
    if (!src.is_object()) return src;
    for (const char *k : {"in", "ood"})
        if (src.contains(k)) src[k] = absolutize(src[k], base);
    for (const char *k : {"images", "labels", "path"})
        if (src.contains(k) && src[k].is_string()) src[k] = absolute(src[k].get<std::string>(), base);
    if (src.contains("files") && src["files"].is_array())
        for (auto &f : src["files"])
            if (f.is_string()) f = absolute(f.get<std::string>(), base);
    return src;
}

void check_keys(const json &obj, const std::set<std::string> &allowed, const std::string &path, Problems &p) {
    for (const auto &[k, v] : obj.items()) {
        (void)v;
        if (!k.empty() && k[0] == '_') continue;  // "_doc", "_comment": notes for people
        if (!allowed.count(k)) {
            std::string list;
            for (const auto &a : allowed) list += (list.empty() ? "" : ", ") + a;
            p.add(path + "/" + k, "unknown key (allowed: " + list + ")");
        }
    }
}

std::vector<uint64_t> read_seeds(const json &v, const std::string &path, Problems &p) {
    std::vector<uint64_t> out;
    if (!v.is_array() || v.empty()) {
        p.add(path, "must be a non-empty array of integers >= 0");
        return out;
    }
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number_integer() || v[i].get<int64_t>() < 0) {
            p.add(path + "/" + std::to_string(i), "must be an integer >= 0, got " + v[i].dump());
            continue;
        }
        const uint64_t s = v[i].get<uint64_t>();
        if (std::find(out.begin(), out.end(), s) != out.end()) p.add(path + "/" + std::to_string(i), "seed " + v[i].dump() + " repeats");
        out.push_back(s);
    }
    return out;
}

bool non_empty_string(const json &o, const char *key) { return o.contains(key) && o[key].is_string() && !o[key].get<std::string>().empty(); }

// One pipeline of the matrix, before expansion over datasets, classes and seeds.
struct PipelineDef {
    std::string name, label, group, json_path;
    json stages;              // vigil pipelines
    std::string peer;         // peer script as written ("" = vigil)
    std::vector<std::string> args;
    std::string features = "raw";
    std::vector<uint64_t> seeds;
    json evaluate, device;
};

void read_dataset(const std::string &name, const json &d, const std::string &base, Matrix &m, Problems &p) {
    const std::string path = "/datasets/" + name;
    if (!d.is_object()) return p.add(path, "must be an object with 'train', 'test' and (one-vs-rest) 'classes'");
    check_keys(d, {"train", "test", "classes", "class_names"}, path, p);
    DatasetInfo info;
    info.name = name;
    const size_t before = p.list.size();
    for (const char *k : {"train", "test"}) {
        if (!d.contains(k)) {
            p.add(path, std::string("missing key '") + k + "'");
            continue;
        }
        for (const auto &e : data::check_source(d[k], base, path + "/" + k)) p.list.push_back(e + " (dataset '" + name + "')");
    }
    if (p.list.size() != before) return;
    // "classes" present: one-vs-rest, one cell per normal class. Absent: the
    // sources are used as written (an {"in", "ood"} pair, or a test set that
    // relabels with its own "normal"), one cell per pipeline and seed.
    info.one_vs_rest = d.contains("classes");
    info.test = absolutize(d["test"], base);
    if (info.one_vs_rest) {
        if (is_source_pair(d["test"])) p.add(path + "/classes", "not allowed with an {\"in\", \"ood\"} test pair (remove 'classes')");
        for (const char *k : {"train", "test"})
            for (const char *f : {"classes", "normal"})
                if (d[k].contains(f))
                    p.add(path + "/" + k + "/" + f, "remove it: the benchmark sets it per normal class (see 'classes')");
        if (d["classes"] == "all") {
            try {
                const data::Dataset tr = data::load_source(d["train"], base, path + "/train");
                if (tr.labels.empty()) p.add(path + "/train", "has no labels, so \"classes\": \"all\" cannot be resolved");
                std::set<int32_t> s(tr.labels.begin(), tr.labels.end());
                info.classes.assign(s.begin(), s.end());
            } catch (const Error &e) {
                p.list.push_back(e.what());
            }
        } else if (d["classes"].is_array() && !d["classes"].empty()) {
            for (size_t i = 0; i < d["classes"].size(); ++i) {
                const json &c = d["classes"][i];
                if (!c.is_number_integer() || c.get<int64_t>() < 0 || c.get<int64_t>() > 1000000)
                    p.add(path + "/classes/" + std::to_string(i), "must be a class label (integer >= 0), got " + c.dump());
                else info.classes.push_back(c.get<int32_t>());
            }
        } else {
            p.add(path + "/classes", "must be \"all\" or a non-empty array of class labels, got " + d["classes"].dump());
        }
    } else if (!is_source_pair(d["test"]) && !d["test"].contains("normal")) {
        p.add(path, "missing key 'classes' (\"all\" or a list: one-vs-rest); without it the test source must be an "
                    "{\"in\", \"ood\"} pair or say which labels are normal (\"normal\": [...])");
    }
    if (d.contains("class_names")) {
        if (!d["class_names"].is_array()) p.add(path + "/class_names", "must be an array of strings");
        else
            for (const auto &c : d["class_names"]) info.class_names.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    }
    m.datasets.push_back(info);
}

void read_common(PipelineDef &pd, const json &o, const std::string &path, const json &doc, Problems &p) {
    pd.json_path = path;
    pd.seeds = read_seeds(o.contains("seeds") ? o["seeds"] : doc.value("seeds", json::array({0})),
                          o.contains("seeds") ? path + "/seeds" : "/seeds", p);
    pd.evaluate = o.contains("evaluate") ? o["evaluate"] : doc.value("evaluate", json::array({"roc", "threshold"}));
    pd.device = o.contains("device") ? o["device"] : doc.value("device", json("auto"));
}

void read_peer(PipelineDef &pd, const json &o, const std::string &path, const std::string &base, Problems &p) {
    if (!o["peer"].is_string() || o["peer"].get<std::string>().empty())
        return p.add(path + "/peer", "must be the path of a peer script (relative to the matrix file)");
    pd.peer = o["peer"].get<std::string>();
    if (!fs::is_regular_file(absolute(pd.peer, base))) p.add(path + "/peer", "no such script: " + absolute(pd.peer, base));
    if (o.contains("args")) {
        if (!o["args"].is_array()) p.add(path + "/args", "must be an array of strings");
        else
            for (size_t i = 0; i < o["args"].size(); ++i) {
                if (!o["args"][i].is_string()) p.add(path + "/args/" + std::to_string(i), "must be a string, got " + o["args"][i].dump());
                else pd.args.push_back(o["args"][i].get<std::string>());
            }
    }
}

std::vector<PipelineDef> read_pipelines(const json &doc, const std::string &base, Problems &p) {
    std::vector<PipelineDef> out;
    if (doc.contains("pipelines")) {
        const json &ps = doc["pipelines"];
        if (!ps.is_array()) p.add("/pipelines", "must be an array of pipelines");
        else
            for (size_t i = 0; i < ps.size(); ++i) {
                const std::string path = "/pipelines/" + std::to_string(i);
                const json &o = ps[i];
                if (!o.is_object()) {
                    p.add(path, "must be an object");
                    continue;
                }
                check_keys(o, {"name", "label", "group", "stages", "peer", "args", "features", "seeds", "evaluate", "device"}, path, p);
                PipelineDef pd;
                if (!non_empty_string(o, "name")) p.add(path, "missing a non-empty 'name'");
                else pd.name = o["name"].get<std::string>();
                pd.label = o.value("label", pd.name);
                pd.group = o.value("group", "");
                read_common(pd, o, path, doc, p);
                if (o.contains("peer") == o.contains("stages")) {
                    p.add(path, "needs exactly one of 'stages' (a Vigil pipeline) or 'peer' (a peer script)");
                    continue;
                }
                if (o.contains("stages")) {
                    if (!o["stages"].is_array() || o["stages"].empty()) p.add(path + "/stages", "must be a non-empty array of stages");
                    pd.stages = o["stages"];
                    for (const char *k : {"args", "features"})
                        if (o.contains(k)) p.add(path + "/" + k, "only for peer pipelines");
                } else {
                    read_peer(pd, o, path, base, p);
                    if (o.contains("features")) {
                        if (!o["features"].is_string()) p.add(path + "/features", "must be a string (the peer's --features)");
                        else pd.features = o["features"].get<std::string>();
                    }
                }
                out.push_back(pd);
            }
    }
    // detectors × features: the compact form for "every method on every feature set".
    if (doc.contains("detectors") != doc.contains("features")) {
        p.add("/", "'detectors' and 'features' go together (every detector runs on every feature set)");
        return out;
    }
    if (!doc.contains("detectors")) return out;
    const json &dets = doc["detectors"], &feats = doc["features"];
    if (!dets.is_array() || dets.empty()) p.add("/detectors", "must be a non-empty array");
    if (!feats.is_object() || feats.empty()) p.add("/features", "must be a non-empty object: feature-set name → {\"stages\": [...], \"peer\": NAME}");
    if (!dets.is_array() || !feats.is_object()) return out;
    for (const auto &[fname, f] : feats.items()) {
        const std::string fpath = "/features/" + fname;
        if (!f.is_object() || !f.contains("stages") || !f["stages"].is_array()) {
            p.add(fpath, "must be an object with 'stages' (extractor stages; may be empty) and optionally 'peer'");
            continue;
        }
        check_keys(f, {"stages", "peer"}, fpath, p);
        for (size_t i = 0; i < dets.size(); ++i) {
            const std::string path = "/detectors/" + std::to_string(i);
            const json &o = dets[i];
            if (!o.is_object()) {
                p.add(path, "must be an object");
                continue;
            }
            if (fname == feats.begin().key()) check_keys(o, {"name", "stage", "peer", "seeds", "evaluate", "device"}, path, p);
            if (!non_empty_string(o, "name") || !o.contains("stage") || !o["stage"].is_object()) {
                if (fname == feats.begin().key()) p.add(path, "needs a non-empty 'name' and a 'stage' object (the detector stage)");
                continue;
            }
            PipelineDef pd;
            pd.name = o["name"].get<std::string>() + "/" + fname;
            pd.label = o["name"].get<std::string>();
            pd.group = fname;
            read_common(pd, o, path, doc, p);
            pd.stages = f["stages"];
            pd.stages.push_back(o["stage"]);
            out.push_back(pd);
            if (o.contains("peer")) {
                const json &po = o["peer"];
                const std::string ppath = path + "/peer";
                if (!po.is_object() || !po.contains("script")) {
                    if (fname == feats.begin().key()) p.add(ppath, "must be an object {\"script\": PATH, \"args\": [...], \"label\": NAME?}");
                    continue;
                }
                if (!f.contains("peer") || !f["peer"].is_string()) {
                    p.add(fpath, "needs 'peer' (the peer scripts' --features value) because " + ppath + " has a peer");
                    continue;
                }
                PipelineDef pp;
                pp.name = pd.name + "/peer";
                pp.label = po.value("label", pd.label + " peer");
                pp.group = fname;
                read_common(pp, o, path, doc, p);
                json po2 = {{"peer", po["script"]}};
                if (po.contains("args")) po2["args"] = po["args"];
                read_peer(pp, po2, ppath, base, p);
                pp.features = f["peer"].get<std::string>();
                out.push_back(pp);
            }
        }
    }
    return out;
}

std::string read_text(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Peer scripts read IDX files by path: the only protocol they implement.
void peer_data_args(const json &train, const json &test, const std::string &base, const std::string &path,
                    std::vector<std::string> &argv, Problems &p) {
    for (const auto &[role, src] : {std::pair<std::string, const json &>{"train", train}, {"test", test}}) {
        if (src.value("format", "") != "idx" || !src.contains("labels")) {
            p.add(path, "peer scripts read IDX data with labels; dataset source '" + role + "' is not one");
            return;
        }
        argv.insert(argv.end(), {"--" + role + "-images", absolute(src["images"].get<std::string>(), base), "--" + role + "-labels",
                                 absolute(src["labels"].get<std::string>(), base)});
        if (src.contains("limit")) argv.insert(argv.end(), {"--" + role + "-limit", std::to_string(src["limit"].get<int64_t>())});
    }
}

} // namespace

Matrix load_matrix(const std::string &path) {
    Matrix m;
    m.path = path;
    m.base_dir = fs::absolute(fs::path(path)).parent_path().lexically_normal().string();
    const json doc = read_json_file(path);  // names line and column of a syntax error
    Problems p;
    if (!doc.is_object()) throw_pipeline(path + ": a matrix must be a JSON object (see docs/BENCH.md)");
    check_keys(doc, {"name", "description", "python", "threads", "timeout", "seeds", "evaluate", "device", "datasets",
                     "pipelines", "detectors", "features"},
               "", p);
    m.name = doc.value("name", fs::path(path).stem().string());
    m.description = doc.value("description", "");
    if (doc.contains("python")) {
        if (!doc["python"].is_string()) p.add("/python", "must be a path");
        else m.python = doc["python"].get<std::string>();
    }
    if (doc.contains("threads")) {
        if (!doc["threads"].is_number_integer() || doc["threads"].get<int64_t>() < 1 || doc["threads"].get<int64_t>() > 1024)
            p.add("/threads", "must be an integer in 1..1024 (threads per cell)");
        else m.threads = doc["threads"].get<int>();
    }
    if (doc.contains("timeout")) {
        if (!doc["timeout"].is_number() || doc["timeout"].get<double>() < 0) p.add("/timeout", "must be seconds >= 0 (0 = none)");
        else m.cell_timeout = doc["timeout"].get<double>();
    }
    if (!doc.contains("datasets") || !doc["datasets"].is_object() || doc["datasets"].empty())
        p.add("/datasets", "missing or empty: an object of dataset name → {\"train\", \"test\", \"classes\"}");
    else
        for (const auto &[n, d] : doc["datasets"].items()) read_dataset(n, d, m.base_dir, m, p);
    const std::vector<PipelineDef> defs = read_pipelines(doc, m.base_dir, p);
    if (defs.empty() && !doc.contains("pipelines") && !doc.contains("detectors"))
        p.add("/", "missing 'pipelines' (or 'detectors' with 'features'): nothing to run");
    std::set<std::string> names;
    for (const auto &d : defs) {
        if (!d.name.empty() && !names.insert(d.name).second) p.add(d.json_path, "pipeline name '" + d.name + "' repeats");
        if (d.name.find('|') != std::string::npos) p.add(d.json_path, "a pipeline name may not contain '|' (it separates cell id parts)");
    }
    if (!p.list.empty()) {
        std::string msg = path + ": invalid matrix";
        for (const auto &e : p.list) msg += "\n  " + e;
        throw_pipeline(msg);
    }

    for (const auto &d : defs) {
        m.pipelines.push_back(d.name);
        if (std::find(m.groups.begin(), m.groups.end(), d.group) == m.groups.end()) m.groups.push_back(d.group);
    }
    const json &dsets = doc["datasets"];
    for (const auto &ds : m.datasets) {
        const json &dj = dsets[ds.name];
        std::vector<std::optional<int32_t>> units;
        if (ds.one_vs_rest) units.assign(ds.classes.begin(), ds.classes.end());
        else units.push_back(std::nullopt);
        for (const auto &d : defs)
            for (const auto &normal : units)
                for (uint64_t seed : d.seeds) {
                    Cell c;
                    c.pipeline = d.name;
                    c.label = d.label;
                    c.group = d.group;
                    c.dataset = ds.name;
                    c.normal = normal;
                    c.seed = seed;
                    c.peer = !d.peer.empty();
                    c.json_path = d.json_path;
                    c.evaluate = d.evaluate;
                    c.id = d.name + "|" + ds.name + "|" + (normal ? std::to_string(*normal) : std::string("all")) + "|s" +
                           std::to_string(seed);
                    json train = dj["train"], test = dj["test"];
                    if (normal) {
                        train["classes"] = {*normal};
                        test["normal"] = {*normal};
                    }
                    if (c.peer) {
                        if (!normal) {
                            p.add(d.json_path, "peer scripts run one-vs-rest only; dataset '" + ds.name + "' has no 'classes'");
                            continue;
                        }
                        c.peer_argv = {absolute(d.peer, m.base_dir), "--normal", std::to_string(*normal), "--features", d.features,
                                       "--seed", std::to_string(seed)};
                        peer_data_args(dj["train"], dj["test"], m.base_dir, d.json_path, c.peer_argv, p);
                        c.peer_argv.insert(c.peer_argv.end(), d.args.begin(), d.args.end());
                        c.spec = {{"peer", d.peer},
                                  {"peer_fnv", fnv1a_hex(read_text(absolute(d.peer, m.base_dir)))},
                                  {"args", d.args},
                                  {"features", d.features},
                                  {"seed", seed},
                                  {"normal", *normal},
                                  {"data", {{"train", train}, {"test", test}}}};
                    } else {
                        c.spec = {{"name", "bench " + m.name + ": " + c.id},
                                  {"data", {{"train", train}, {"test", test}}},
                                  {"stages", d.stages},
                                  {"evaluate", d.evaluate},
                                  {"device", d.device},
                                  {"seed", seed}};
                    }
                    c.hash = fnv1a_hex(canonical(c.spec));
                    m.cells.push_back(std::move(c));
                }
    }
    if (!p.list.empty()) {
        std::string msg = path + ": invalid matrix";
        for (const auto &e : p.list) msg += "\n  " + e;
        throw_pipeline(msg);
    }
    return m;
}

// The pipeline a Vigil cell runs, with absolute data paths (it is written
// into the output folder, away from the matrix).
json runnable_pipeline(const Matrix &m, const Cell &c) {
    json j = c.spec;
    j["data"]["train"] = absolutize(j["data"]["train"], m.base_dir);
    j["data"]["test"] = absolutize(j["data"]["test"], m.base_dir);
    return j;
}

} // namespace vigil::bench
