// cmd_eval.cpp — `vigil eval`: metrics of a model on its test data, or of a
// scores CSV that carries labels.
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/json_schema.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace vigil::cli {

namespace {

bool is_model_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    char magic[8] = {0};
    in.read(magic, 8);
    return in && std::string(magic, 8) == "VIGILMDL";
}

// Reads the "score" and "label" columns of a CSV written by `vigil score`/`run`.
void read_scores_csv(const std::string &path, std::vector<float> &scores, std::vector<int32_t> &labels) {
    std::ifstream in(path);
    if (!in) throw_input(path + ": cannot open scores file");
    std::string line;
    if (!std::getline(in, line)) throw_input(path + ": empty scores file");
    std::vector<std::string> head;
    {
        std::stringstream ss(line);
        std::string c;
        while (std::getline(ss, c, ',')) head.push_back(c);
    }
    int si = -1, li = -1;
    for (size_t i = 0; i < head.size(); ++i) {
        if (head[i] == "score") si = static_cast<int>(i);
        if (head[i] == "label") li = static_cast<int>(i);
    }
    if (si < 0 || li < 0) throw_input(path + ": needs a header with 'score' and 'label' columns");
    size_t lineno = 1;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty()) continue;
        // Split on commas outside double quotes (names may hold commas).
        std::vector<std::string> cells(1);
        bool q = false;
        for (char c : line) {
            if (c == '"') q = !q;
            else if (c == ',' && !q) cells.emplace_back();
            else cells.back() += c;
        }
        if (cells.size() != head.size())
            throw_input(path + ":" + std::to_string(lineno) + ": expected " + std::to_string(head.size()) + " columns, got " +
                        std::to_string(cells.size()));
        char *end = nullptr;
        const float s = std::strtof(cells[si].c_str(), &end);
        if (end == cells[si].c_str() || *end || !std::isfinite(s))
            throw_input(path + ":" + std::to_string(lineno) + ": score '" + cells[si] + "' is not a finite number");
        const long l = std::strtol(cells[li].c_str(), &end, 10);
        if (end == cells[li].c_str() || *end || (l != 0 && l != 1))
            throw_input(path + ":" + std::to_string(lineno) + ": label '" + cells[li] + "' must be 0 (normal) or 1 (anomaly)");
        scores.push_back(s);
        labels.push_back(static_cast<int32_t>(l));
    }
}

} // namespace

int cmd_eval(int argc, char **argv) {
    Common common;
    std::string input;
    std::vector<std::string> evaluators;
    bool as_json = false;
    po::options_description opts("vigil eval options");
    opts.add_options()
        ("input", po::value(&input), "MODEL file or SCORES.csv (positional)")
        ("evaluator,e", po::value(&evaluators)->composing(), "evaluator to run (repeatable); default: the model's, or roc and threshold")
        ("json", po::bool_switch(&as_json), "print metrics as JSON");
    common.add_to(opts);
    po::positional_options_description pos;
    pos.add("input", 1);
    po::variables_map vm;
    if (!parse(argc, argv,
               "usage: vigil eval (MODEL | SCORES.csv) [-e EVALUATOR]... [--json] [options]\n\n"
               "With a model file: scores the model pipeline's data.test and evaluates it.\n"
               "With a CSV that has 'score' and 'label' columns (as `vigil score`/`run --scores-out`\n"
               "write): evaluates those scores. Labels: 0 = normal, 1 = anomaly.",
               opts, pos, vm))
        return 0;
    if (input.empty()) throw Error(ErrorKind::Usage, "missing MODEL or SCORES.csv (see --help)");
    const Registry reg = common.registry();

    PipelineSpec spec;
    std::vector<float> scores;
    std::vector<int32_t> labels;
    if (is_model_file(input)) {
        FittedPipeline fp = FittedPipeline::load(input, reg, common.overrides());
        const RunResult r = evaluate_pipeline(fp, reg);
        spec = fp.spec();
        scores = r.scores;
        labels = r.labels;
    } else {
        read_scores_csv(input, scores, labels);
        spec.evaluators = {{"roc", nlohmann::json::object(), ""}, {"threshold", nlohmann::json::object(), ""}};
    }
    if (!evaluators.empty()) {
        spec.evaluators.clear();
        for (const auto &e : evaluators) spec.evaluators.push_back({e, nlohmann::json::object(), ""});
    }
    // Fill each evaluator's defaults from its schema.
    for (auto &e : spec.evaluators) {
        const Selection s = reg.select(VIGIL_KIND_EVALUATOR, e.name, DeviceChoice::Auto);
        std::vector<std::string> errs = validate_schema(s.variant->lib.schema, e.params, "/evaluate");
        if (!errs.empty()) throw Error(ErrorKind::Usage, errs.front());
        e.params = apply_defaults(s.variant->lib.schema, e.params);
    }
    const auto metrics = run_evaluators(spec, reg, scores, labels);
    if (as_json) std::cout << metrics_json(metrics).dump(2) << "\n";
    else print_metrics_table(metrics);
    return 0;
}

} // namespace vigil::cli
