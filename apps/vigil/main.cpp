// main.cpp — `vigil`: dispatch to verbs, map errors to documented exit codes.
//
// Exit codes (also in `vigil --help`):
//   0 success · 1 internal error or cancelled · 2 bad command line
//   3 unreadable/missing/malformed input data or model file
//   4 invalid pipeline file · 5 a plugin was refused or failed
//   bench only: 6 regression against the baseline · 7 some cells failed
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/host_services.hpp>
#include <vigil/framework/progress.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <unistd.h>

namespace {

const char *kUsage =
    "vigil " VIGIL_VERSION " — image anomaly and out-of-distribution detection\n"
    "\n"
    "usage: vigil <verb> [options]    (vigil <verb> --help for each verb)\n"
    "\n"
    "verbs:\n"
    "  plugins             list plugins, their cpu/cuda variants and the one chosen here\n"
    "  run PIPELINE.json   fit, score and evaluate a pipeline; print its metrics\n"
    "  fit PIPELINE.json -o MODEL\n"
    "                      fit a pipeline and save it as one model file\n"
    "  score MODEL [--input PATH] [--out scores.csv]\n"
    "                      score data with a saved model (higher = more anomalous)\n"
    "  eval (MODEL | SCORES.csv)\n"
    "                      evaluate a model on its test data, or a scores file with labels\n"
    "  bench MATRIX.json [--baseline BASE.json]\n"
    "                      run a benchmark matrix (resumable); JSON, CSV, Markdown and HTML\n"
    "                      report; optionally fail on regressions against a baseline\n"
    "\n"
    "plugins are searched in --plugin-dir folders, then $VIGIL_PLUGIN_PATH (colon-separated),\n"
    "then the build's and the installation's plugin folders.\n"
    "\n"
    "exit codes: 0 ok, 1 internal error or cancelled, 2 bad command line,\n"
    "            3 bad input data or model file, 4 invalid pipeline, 5 plugin refused or failed;\n"
    "            bench only: 6 regression against the baseline, 7 some cells failed\n";

// First Ctrl-C: ask plugins to stop at their next check; a second one kills.
void on_sigint(int) {
    vigil::request_cancel();
    static const char msg[] = "\nvigil: cancelling (Ctrl-C again to kill)\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    std::signal(SIGINT, SIG_DFL);
}

} // namespace

int main(int argc, char **argv) {
    using namespace vigil::cli;
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
        std::cout << kUsage;
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
        std::cout << "vigil " VIGIL_VERSION " (ABI " << VIGIL_ABI_VERSION_MAJOR << "." << VIGIL_ABI_VERSION_MINOR << ")\n";
        return 0;
    }
    std::signal(SIGINT, on_sigint);
    const std::string verb = argv[1];
    try {
        // Verbs see argv without the program name: argv[0] = verb.
        if (verb == "plugins") return cmd_plugins(argc - 1, argv + 1);
        if (verb == "run") return cmd_run(argc - 1, argv + 1);
        if (verb == "fit") return cmd_fit(argc - 1, argv + 1);
        if (verb == "score") return cmd_score(argc - 1, argv + 1);
        if (verb == "eval") return cmd_eval(argc - 1, argv + 1);
        if (verb == "bench") return cmd_bench(argc - 1, argv + 1);
        std::fprintf(stderr, "vigil: unknown verb '%s'\n\n%s", verb.c_str(), kUsage);
        return 2;
    } catch (const vigil::Error &e) {
        vigil::progress::finish();
        std::fprintf(stderr, "vigil %s: error: %s\n", verb.c_str(), e.what());
        if (vigil::cancel_requested()) return 1;
        return static_cast<int>(e.kind());
    } catch (const std::exception &e) {
        vigil::progress::finish();
        std::fprintf(stderr, "vigil %s: internal error: %s\n", verb.c_str(), e.what());
        return 1;
    }
}
