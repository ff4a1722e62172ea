// pipeline.hpp — pipelines in JSON: parse and validate before any work,
// then fit → score → evaluate.
//
// Why this file exists: pipeline users describe data → extractors → detector
// → evaluators in one JSON file (DESIGN.md "Pipelines"). Every mistake in it
// (unknown keys, unknown plugins, parameters outside a plugin's schema,
// missing files, shape mismatches between stages) is reported before work
// starts, each naming its JSON path.
#pragma once

#include <vigil/framework/plugin_object.hpp>
#include <vigil/framework/registry.hpp>
#include <vigil/framework/tensor.hpp>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

struct StageSpec {
    vigil_kind kind = VIGIL_KIND_DETECTOR;  // extractor or detector
    std::string name;
    nlohmann::json params;                  // validated, defaults filled in
    DeviceChoice device = DeviceChoice::Auto;
    std::string json_path;                  // e.g. "/stages/1"
};

struct EvaluatorSpec {
    std::string name;
    nlohmann::json params;
    std::string json_path;
};

struct PipelineSpec {
    nlohmann::json document;  // the file as written
    std::string base_dir;     // relative data paths resolve against this
    std::vector<StageSpec> stages;  // zero or more extractors, then one detector
    std::vector<EvaluatorSpec> evaluators;
    DeviceChoice device = DeviceChoice::Auto;
    RunSettings settings;
    bool has_train() const { return document.contains("data") && document["data"].contains("train"); }
    bool has_test() const { return document.contains("data") && document["data"].contains("test"); }
};

// Command-line overrides of the pipeline's own settings.
struct Overrides {
    std::optional<DeviceChoice> device;
    std::optional<uint64_t> seed;
    std::optional<uint32_t> threads;
};

// Parse and validate. Throws vigil::Error(Pipeline) whose message lists every
// problem found, one per line, each starting with its JSON path.
// `need_test`: the test set is required (run, eval) or optional (fit).
PipelineSpec parse_pipeline(const nlohmann::json &doc, const std::string &base_dir, const Registry &registry,
                            const Overrides &overrides, bool need_test);
// Reads the file first; a JSON syntax error names its line and column.
PipelineSpec parse_pipeline_file(const std::string &path, const Registry &registry, const Overrides &overrides,
                                 bool need_test);
nlohmann::json read_json_file(const std::string &path);

// The extractors and detector of a pipeline, fitted (or loaded from a model).
class FittedPipeline {
public:
    struct Stage {
        StageSpec spec;
        std::string backend_why;  // why this backend was chosen
        std::unique_ptr<ExtractorObject> extractor;
        std::unique_ptr<DetectorObject> detector;
        const PluginLibrary &library() const { return extractor ? extractor->library() : detector->library(); }
    };

    // Fit every stage on the pipeline's training data.
    static FittedPipeline fit(const PipelineSpec &spec, const Registry &registry);
    // Transform `x` through the extractors and score it with the detector.
    std::vector<float> score(const Tensor &x);

    const PipelineSpec &spec() const { return spec_; }
    std::vector<Stage> &stages() { return stages_; }
    const std::vector<Stage> &stages() const { return stages_; }
    double load_seconds = 0;  // reading and decoding the training data
    double fit_seconds = 0;   // creating and fitting every stage, data loading excluded
    int64_t n_train = 0;

    // Model files: see model_file.cpp for the format.
    void save(const std::string &path) const;
    static FittedPipeline load(const std::string &path, const Registry &registry, const Overrides &overrides);

private:
    PipelineSpec spec_;
    std::vector<Stage> stages_;
};

struct MetricSet {
    std::string evaluator;
    std::vector<std::pair<std::string, double>> values;
};

struct RunResult {
    std::vector<float> scores;
    std::vector<int32_t> labels;
    std::vector<std::string> names;
    std::vector<MetricSet> metrics;
    // Wall-clock seconds: loading both data sets; fitting (FittedPipeline::fit_seconds);
    // scoring the test data through every stage. Loading is kept apart so that
    // fit and score compare with peers that time their model alone.
    double load_seconds = 0, fit_seconds = 0, score_seconds = 0;
    int64_t n_train = 0, n_test = 0;
    std::vector<std::string> backends;  // "<stage> → <why>"
};

// Scores and metrics of a fitted pipeline on the spec's test data.
RunResult evaluate_pipeline(FittedPipeline &fitted, const Registry &registry);
std::vector<MetricSet> run_evaluators(const PipelineSpec &spec, const Registry &registry,
                                      const std::vector<float> &scores, const std::vector<int32_t> &labels);

} // namespace vigil
