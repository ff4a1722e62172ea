// cmd_score.cpp — `vigil score`: score data with a saved model.
#include "cli_common.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cstdio>
#include <iostream>

namespace vigil::cli {

int cmd_score(int argc, char **argv) {
    Common common;
    std::string model, input, format = "auto", out;
    po::options_description opts("vigil score options");
    opts.add_options()
        ("model", po::value(&model), "model file written by `vigil fit` or `vigil run -o` (positional)")
        ("input,i", po::value(&input), "data to score: a folder of images, .npy, .csv, IDX (-idx3-ubyte[.gz]) or CIFAR .bin[.gz]; default: the model pipeline's data.test")
        ("format,f", po::value(&format), "input format: auto (by extension), images, npy, csv, idx, cifar")
        ("out,o", po::value(&out), "scores CSV to write (index[,name],score[,label]); default: print to stdout");
    common.add_to(opts);
    po::positional_options_description pos;
    pos.add("model", 1);
    po::variables_map vm;
    if (!parse(argc, argv,
               "usage: vigil score MODEL [--input PATH] [--format F] [--out scores.csv] [options]\n\n"
               "Scores every sample with the saved pipeline; higher = more anomalous. The same model\n"
               "and the same data give bit-identical scores on the same backend.",
               opts, pos, vm))
        return 0;
    if (model.empty()) throw Error(ErrorKind::Usage, "missing MODEL (see --help)");
    const Registry reg = common.registry();
    FittedPipeline fp = FittedPipeline::load(model, reg, common.overrides());
    data::Dataset ds;
    if (!input.empty()) {
        ds = data::load_path(input, format);
    } else {
        if (!fp.spec().has_test()) throw Error(ErrorKind::Usage, "the model's pipeline has no data.test: give --input");
        ds = data::load_source(fp.spec().document["data"]["test"], fp.spec().base_dir, "/data/test");
    }
    const std::vector<float> scores = fp.score(ds.x);
    if (out.empty()) {
        std::printf("index,score\n");
        for (size_t i = 0; i < scores.size(); ++i) std::printf("%zu,%.9g\n", i, static_cast<double>(scores[i]));
    } else {
        write_scores_csv(out, scores, ds.labels, ds.names);
        std::fprintf(stderr, "scored %zu samples; scores written to %s\n", scores.size(), out.c_str());
    }
    return 0;
}

} // namespace vigil::cli
