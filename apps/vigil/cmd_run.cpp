// cmd_run.cpp — `vigil run` (fit, score, evaluate, print metrics) and
// `vigil fit` (fit and save a model file).
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/process_memory.hpp>

#include <cstdio>
#include <iostream>

namespace vigil::cli {

namespace {

int64_t count_label(const std::vector<int32_t> &l, int32_t v) {
    int64_t n = 0;
    for (auto x : l) n += x == v;
    return n;
}

} // namespace

int cmd_run(int argc, char **argv) {
    Common common;
    std::string pipeline, scores_out, model_out;
    bool as_json = false;
    po::options_description opts("vigil run options");
    opts.add_options()
        ("pipeline", po::value(&pipeline), "pipeline JSON file (positional)")
        ("json", po::bool_switch(&as_json), "print the result as JSON on stdout")
        ("scores-out", po::value(&scores_out), "also write the test scores as CSV (index[,name],score,label)")
        ("model-out,o", po::value(&model_out), "also save the fitted pipeline as a model file");
    common.add_to(opts);
    po::positional_options_description pos;
    pos.add("pipeline", 1);
    po::variables_map vm;
    if (!parse(argc, argv,
               "usage: vigil run PIPELINE.json [--json] [--scores-out FILE] [-o MODEL] [options]\n\n"
               "Validates the pipeline (data, stages, parameters, shapes) before any work, fits its\n"
               "extractors and detector on data.train, scores data.test (higher = more anomalous) and\n"
               "prints every evaluator's metrics. Progress goes to stderr.",
               opts, pos, vm))
        return 0;
    if (pipeline.empty()) throw Error(ErrorKind::Usage, "missing PIPELINE.json (see --help)");
    const Registry reg = common.registry();
    const PipelineSpec spec = parse_pipeline_file(pipeline, reg, common.overrides(), /*need_test=*/true);
    FittedPipeline fp = FittedPipeline::fit(spec, reg);
    if (!model_out.empty()) fp.save(model_out);
    const RunResult r = evaluate_pipeline(fp, reg);
    if (!scores_out.empty()) write_scores_csv(scores_out, r.scores, r.labels, r.names);

    if (as_json) {
        nlohmann::json j = {{"pipeline", pipeline},
                            {"n_train", r.n_train},
                            {"n_test", r.n_test},
                            {"n_test_normal", count_label(r.labels, 0)},
                            {"n_test_anomalous", count_label(r.labels, 1)},
                            {"load_seconds", r.load_seconds},
                            {"fit_seconds", r.fit_seconds},
                            {"score_seconds", r.score_seconds},
                            {"backends", r.backends},
                            {"metrics", metrics_json(r.metrics)}};
        // The whole run's peak memory, measured in this process (process_memory.hpp says why).
        j["peak_rss_mib"] = process_status_mib("VmHWM:");
        // Which plugin build ran each stage (benchmarks record it beside the numbers).
        j["stages"] = nlohmann::json::array();
        for (const auto &st : fp.stages())
            j["stages"].push_back({{"kind", kind_name(st.spec.kind)},
                                   {"name", st.spec.name},
                                   {"version", st.library().version()},
                                   {"backend", backend_name(st.library().backend())}});
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    const std::string name = spec.document.value("name", pipeline);
    std::printf("pipeline   %s\n", name.c_str());
    for (const auto &b : r.backends) std::printf("stage      %s\n", b.c_str());
    std::printf("train      %lld samples\n", (long long)r.n_train);
    std::printf("test       %lld samples (%lld normal, %lld anomalous)\n", (long long)r.n_test,
                (long long)count_label(r.labels, 0), (long long)count_label(r.labels, 1));
    std::printf("time       load %.3f s, fit %.3f s, score %.3f s\n\n", r.load_seconds, r.fit_seconds, r.score_seconds);
    print_metrics_table(r.metrics);
    return 0;
}

int cmd_fit(int argc, char **argv) {
    Common common;
    std::string pipeline, model_out;
    po::options_description opts("vigil fit options");
    opts.add_options()
        ("pipeline", po::value(&pipeline), "pipeline JSON file (positional)")
        ("output,o", po::value(&model_out), "model file to write (required)");
    common.add_to(opts);
    po::positional_options_description pos;
    pos.add("pipeline", 1);
    po::variables_map vm;
    if (!parse(argc, argv,
               "usage: vigil fit PIPELINE.json -o MODEL [options]\n\n"
               "Fits the pipeline on data.train and saves it as one model file: the pipeline, each stage's\n"
               "plugin name, version, ABI and fitted state, and a checksum. data.test is optional.",
               opts, pos, vm))
        return 0;
    if (pipeline.empty()) throw Error(ErrorKind::Usage, "missing PIPELINE.json (see --help)");
    if (model_out.empty()) throw Error(ErrorKind::Usage, "missing -o MODEL (see --help)");
    const Registry reg = common.registry();
    const PipelineSpec spec = parse_pipeline_file(pipeline, reg, common.overrides(), /*need_test=*/false);
    FittedPipeline fp = FittedPipeline::fit(spec, reg);
    fp.save(model_out);
    std::printf("fitted %lld samples in %.3f s; model written to %s\n", (long long)fp.n_train, fp.fit_seconds,
                model_out.c_str());
    return 0;
}

} // namespace vigil::cli
