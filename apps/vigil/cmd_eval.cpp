// cmd_eval.cpp — `vigil eval`: metrics of a model on its test data, or of a
// scores CSV that carries labels.
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>

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
    nlohmann::json list = nlohmann::json::array();
    for (const auto &e : spec.evaluators) list.push_back({{"evaluator", e.name}, {"params", e.params}});
    const auto metrics = evaluate_scores(reg, list, scores, labels);
    if (as_json) std::cout << metrics_json(metrics).dump(2) << "\n";
    else print_metrics_table(metrics);
    return 0;
}

} // namespace vigil::cli
