// pipeline.cpp — parsing, validation and execution of JSON pipelines (see pipeline.hpp).
#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>
#include <vigil/framework/json_schema.hpp>
#include <vigil/framework/pipeline.hpp>
#include <vigil/framework/progress.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string shape_str(const std::vector<int64_t> &s) {
    if (s.empty()) return "scalar";
    std::string o;
    for (size_t i = 0; i < s.size(); ++i) o += (i ? "x" : "") + std::to_string(s[i]);
    return o;
}

// Collects problems; each one names its JSON path.
struct Problems {
    std::vector<std::string> list;
    void add(const std::string &path, const std::string &what) { list.push_back((path.empty() ? "/" : path) + ": " + what); }
    void add_all(const std::vector<std::string> &v) { list.insert(list.end(), v.begin(), v.end()); }
    void throw_if_any(const std::string &what) const {
        if (list.empty()) return;
        std::string msg = list.size() == 1 ? what + ": " + list[0] : what + " (" + std::to_string(list.size()) + " problems):";
        if (list.size() > 1)
            for (const auto &p : list) msg += "\n  " + p;
        throw_pipeline(msg);
    }
};

void unknown_keys(const json &obj, const std::set<std::string> &known, const std::string &path, Problems &pr) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (!known.count(it.key())) {
            std::vector<std::string> k(known.begin(), known.end());
            std::string near = closest_name(it.key(), k), list;
            for (const auto &s : known) list += (list.empty() ? "" : ", ") + s;
            pr.add(path + "/" + it.key(), "unknown key '" + it.key() + "'" +
                                              (near.empty() ? "" : " (did you mean '" + near + "'?)") + "; allowed: " + list);
        }
}

std::optional<DeviceChoice> device_at(const json &obj, const std::string &path, Problems &pr) {
    if (!obj.contains("device")) return std::nullopt;
    const json &d = obj["device"];
    if (!d.is_string() || (d != "auto" && d != "cpu" && d != "cuda")) {
        pr.add(path + "/device", "must be \"auto\", \"cpu\" or \"cuda\", got " + d.dump());
        return std::nullopt;
    }
    return parse_device(d.get<std::string>());
}

// Validates params of plugin `name` of `kind`; returns them completed with defaults.
// `name_path` is where the plugin's name stands in the file (default path + "/<kind>").
json check_params(const Registry &reg, vigil_kind kind, const std::string &name, const json *params,
                  DeviceChoice device, const std::string &path, Problems &pr, std::string name_path = "") {
    json p = params ? *params : json::object();
    Selection sel;
    try {
        sel = reg.select(kind, name, device);
    } catch (const Error &e) {
        pr.add(name_path.empty() ? path + "/" + kind_name(kind) : name_path, e.what());
        return p;
    }
    if (!p.is_object()) {
        pr.add(path + "/params", "must be an object, got " + p.dump());
        return p;
    }
    pr.add_all(validate_schema(sel.variant->lib.schema, p, path + "/params"));
    return apply_defaults(sel.variant->lib.schema, p);
}

} // namespace

json read_json_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path + ": cannot open file");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    try {
        return json::parse(text);
    } catch (const json::parse_error &e) {
        // Turn the byte offset into line:column.
        size_t line = 1, col = 1;
        for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        std::string what = e.what();
        if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
        throw_pipeline(path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON: " + what);
    }
}

PipelineSpec parse_pipeline(const json &doc, const std::string &base_dir, const Registry &reg, const Overrides &ov,
                            bool need_test) {
    Problems pr;
    PipelineSpec spec;
    spec.document = doc;
    spec.base_dir = base_dir;
    if (!doc.is_object()) {
        pr.add("", "a pipeline must be a JSON object");
        pr.throw_if_any("invalid pipeline");
    }
    unknown_keys(doc, {"name", "description", "data", "stages", "evaluate", "device", "seed", "threads"}, "", pr);

    // Global settings.
    if (auto d = device_at(doc, "", pr)) spec.device = *d;
    if (doc.contains("seed")) {
        if (doc["seed"].is_number_unsigned() || (doc["seed"].is_number_integer() && doc["seed"].get<int64_t>() >= 0))
            spec.settings.seed = doc["seed"].get<uint64_t>();
        else
            pr.add("/seed", "must be a non-negative integer, got " + doc["seed"].dump());
    }
    if (doc.contains("threads")) {
        if (doc["threads"].is_number_integer() && doc["threads"].get<int64_t>() >= 1 && doc["threads"].get<int64_t>() <= 1024)
            spec.settings.threads = doc["threads"].get<uint32_t>();
        else
            pr.add("/threads", "must be an integer in 1..1024, got " + doc["threads"].dump());
    }
    if (ov.device) spec.device = *ov.device;
    if (ov.seed) spec.settings.seed = *ov.seed;
    if (ov.threads) spec.settings.threads = *ov.threads;
    if (doc.contains("name") && !doc["name"].is_string()) pr.add("/name", "must be a string");
    if (doc.contains("description") && !doc["description"].is_string()) pr.add("/description", "must be a string");

    // Stages: zero or more extractors, then exactly one detector, last.
    if (!doc.contains("stages")) {
        pr.add("", "missing key 'stages' (a list of extractors ending with one detector)");
    } else if (!doc["stages"].is_array() || doc["stages"].empty()) {
        pr.add("/stages", "must be a non-empty array of stages");
    } else {
        const json &stages = doc["stages"];
        for (size_t i = 0; i < stages.size(); ++i) {
            const std::string path = "/stages/" + std::to_string(i);
            const json &st = stages[i];
            if (!st.is_object()) {
                pr.add(path, "a stage must be an object like {\"detector\": \"knn\", \"params\": {...}}");
                continue;
            }
            unknown_keys(st, {"extractor", "detector", "params", "device"}, path, pr);
            const bool is_ext = st.contains("extractor"), is_det = st.contains("detector");
            if (is_ext == is_det) {
                pr.add(path, "a stage names exactly one of 'extractor' or 'detector'");
                continue;
            }
            StageSpec s;
            s.kind = is_det ? VIGIL_KIND_DETECTOR : VIGIL_KIND_EXTRACTOR;
            s.json_path = path;
            const json &nm = st[is_det ? "detector" : "extractor"];
            if (!nm.is_string()) {
                pr.add(path + "/" + kind_name(s.kind), "must be a plugin name (string)");
                continue;
            }
            s.name = nm.get<std::string>();
            s.device = spec.device;
            // A pipeline-wide (or --device) choice applies to the stages that
            // have a variant for that backend; a stage built for cpu only runs
            // on cpu. A stage's own "device" is never relaxed.
            s.device = reg.device_for(s.kind, s.name, s.device);
            if (auto d = device_at(st, path, pr); d && !ov.device) s.device = *d;
            if (is_det && i + 1 != stages.size())
                pr.add(path, "the detector must be the last stage (found at position " + std::to_string(i) + " of " +
                                 std::to_string(stages.size()) + ")");
            if (!is_det && i + 1 == stages.size()) pr.add(path, "the last stage must be a detector");
            s.params = check_params(reg, s.kind, s.name, st.contains("params") ? &st["params"] : nullptr, s.device, path, pr);
            spec.stages.push_back(std::move(s));
        }
    }

    // Evaluators: names or {"evaluator": name, "params": {...}}; default roc + threshold.
    json evals = doc.contains("evaluate") ? doc["evaluate"] : json::array({"roc", "threshold"});
    if (!evals.is_array()) {
        pr.add("/evaluate", "must be an array of evaluator names or {\"evaluator\": ..., \"params\": ...} objects");
    } else {
        for (size_t i = 0; i < evals.size(); ++i) {
            const std::string path = "/evaluate/" + std::to_string(i);
            EvaluatorSpec e;
            e.json_path = path;
            const json *params = nullptr;
            if (evals[i].is_string()) {
                e.name = evals[i].get<std::string>();
            } else if (evals[i].is_object() && evals[i].contains("evaluator") && evals[i]["evaluator"].is_string()) {
                unknown_keys(evals[i], {"evaluator", "params"}, path, pr);
                e.name = evals[i]["evaluator"].get<std::string>();
                if (evals[i].contains("params")) params = &evals[i]["params"];
            } else {
                pr.add(path, "must be an evaluator name or {\"evaluator\": name, \"params\": {...}}");
                continue;
            }
            e.params = check_params(reg, VIGIL_KIND_EVALUATOR, e.name, params, DeviceChoice::Auto, path, pr,
                                    evals[i].is_string() ? path : path + "/evaluator");
            spec.evaluators.push_back(std::move(e));
        }
    }

    // Data: sources checked without reading payloads.
    std::optional<data::SourceInfo> train_info, test_info;
    if (!doc.contains("data")) {
        pr.add("", "missing key 'data' (with 'train' and 'test' sources)");
    } else if (!doc["data"].is_object()) {
        pr.add("/data", "must be an object with 'train' and 'test' sources");
    } else {
        const json &d = doc["data"];
        unknown_keys(d, {"train", "test"}, "/data", pr);
        for (const char *part : {"train", "test"}) {
            const std::string path = std::string("/data/") + part;
            if (!d.contains(part)) {
                if (std::string(part) == "train" || need_test) pr.add("/data", std::string("missing key '") + part + "'");
                continue;
            }
            auto errs = data::check_source(d[part], base_dir, path);
            if (!errs.empty()) {
                pr.add_all(errs);
                continue;
            }
            try {
                auto info = data::inspect_source(d[part], base_dir, path);
                (std::string(part) == "train" ? train_info : test_info) = info;
            } catch (const Error &e) {
                pr.list.push_back(e.what());
            }
        }
        if (train_info && test_info && train_info->sample_shape != test_info->sample_shape)
            pr.add("/data/test", "per-sample shape " + shape_str(test_info->sample_shape) + " differs from /data/train's " +
                                     shape_str(train_info->sample_shape));
    }
    pr.throw_if_any("invalid pipeline");

    // Shapes through the stages, checked with unfitted extractor objects.
    if (train_info) {
        std::vector<int64_t> shape = train_info->sample_shape;
        for (const auto &s : spec.stages) {
            if (s.kind != VIGIL_KIND_EXTRACTOR) continue;
            try {
                const Selection sel = reg.select(s.kind, s.name, s.device);
                ExtractorObject ex(sel.variant->lib, s.params, spec.settings);
                shape = ex.output_shape(shape);
            } catch (const Error &e) {
                pr.add(s.json_path, std::string("cannot take input of shape ") + shape_str(shape) + ": " + e.what());
                break;
            }
        }
    }
    pr.throw_if_any("invalid pipeline");
    return spec;
}

PipelineSpec parse_pipeline_file(const std::string &path, const Registry &reg, const Overrides &ov, bool need_test) {
    const json doc = read_json_file(path);
    std::string base = fs::absolute(fs::path(path)).parent_path().string();
    try {
        return parse_pipeline(doc, base, reg, ov, need_test);
    } catch (const Error &e) {
        throw Error(e.kind(), path + ": " + e.what());
    }
}

FittedPipeline FittedPipeline::fit(const PipelineSpec &spec, const Registry &reg) {
    FittedPipeline fp;
    fp.spec_ = spec;
    const json &train_src = spec.document["data"]["train"];
    const auto t_load = Clock::now();
    data::Dataset train = data::load_source(train_src, spec.base_dir, "/data/train");
    fp.load_seconds = since(t_load);
    const auto t0 = Clock::now();
    const std::vector<int32_t> *labels = train.labels.empty() ? nullptr : &train.labels;
    Tensor x = std::move(train.x);
    fp.n_train = x.samples();
    for (const auto &s : spec.stages) {
        const Selection sel = reg.select(s.kind, s.name, s.device);
        Stage st;
        st.spec = s;
        st.backend_why = sel.why;
        if (s.kind == VIGIL_KIND_EXTRACTOR) {
            st.extractor = std::make_unique<ExtractorObject>(sel.variant->lib, s.params, spec.settings);
            st.extractor->fit(x, labels);
            x = st.extractor->transform(x);
        } else {
            st.detector = std::make_unique<DetectorObject>(sel.variant->lib, s.params, spec.settings);
            st.detector->fit(x, labels);
        }
        progress::finish();
        fp.stages_.push_back(std::move(st));
    }
    fp.fit_seconds = since(t0);
    return fp;
}

std::vector<float> FittedPipeline::score(const Tensor &input) {
    Tensor x = input;
    for (auto &st : stages_) {
        if (st.extractor) x = st.extractor->transform(x);
        else return st.detector->score(x);
    }
    throw Error(ErrorKind::Internal, "pipeline has no detector");
}

std::vector<MetricSet> run_evaluators(const PipelineSpec &spec, const Registry &reg, const std::vector<float> &scores,
                                      const std::vector<int32_t> &labels) {
    std::vector<MetricSet> out;
    for (const auto &e : spec.evaluators) {
        const Selection sel = reg.select(VIGIL_KIND_EVALUATOR, e.name, DeviceChoice::Auto);
        EvaluatorObject ev(sel.variant->lib, e.params, spec.settings);
        out.push_back({e.name, ev.evaluate(scores, labels)});
    }
    return out;
}

RunResult evaluate_pipeline(FittedPipeline &fp, const Registry &reg) {
    const PipelineSpec &spec = fp.spec();
    if (!spec.has_test()) throw_pipeline("/data: missing key 'test': nothing to score");
    RunResult r;
    const auto t_load = Clock::now();
    data::Dataset test = data::load_source(spec.document["data"]["test"], spec.base_dir, "/data/test");
    r.load_seconds = fp.load_seconds + since(t_load);
    if (test.labels.empty() && !spec.evaluators.empty())
        throw_input("/data/test: the test data has no labels, so it cannot be evaluated");
    auto t0 = Clock::now();
    r.scores = fp.score(test.x);
    r.score_seconds = since(t0);
    progress::finish();
    r.labels = test.labels;
    r.names = test.names;
    r.n_test = test.x.samples();
    r.fit_seconds = fp.fit_seconds;
    r.n_train = fp.n_train;
    for (const auto &st : fp.stages()) r.backends.push_back(st.spec.name + ": " + st.backend_why);
    if (!test.labels.empty()) r.metrics = run_evaluators(spec, reg, r.scores, r.labels);
    return r;
}

} // namespace vigil
