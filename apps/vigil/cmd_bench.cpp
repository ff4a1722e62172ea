// cmd_bench.cpp — `vigil bench`: run a benchmark matrix (resumable, in
// parallel), write its JSON/CSV/Markdown/HTML outputs, and optionally gate on
// a baseline results file.
//
// Why this file exists: CI systems and researchers compare plugins head to
// head (DESIGN.md, "Who uses it", 3); one tool replaces per-issue scripts. The
// matrix format, outputs and CI use are in docs/BENCH.md.
#include "bench_gate.hpp"
#include "bench_matrix.hpp"
#include "bench_report.hpp"
#include "bench_results.hpp"
#include "bench_run.hpp"
#include "cli_common.hpp"

#include <vigil/framework/error.hpp>
#include <vigil/framework/host_services.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil::cli {

namespace {

const char *kBenchUsage =
    "usage: vigil bench MATRIX.json [-o OUT] [--jobs N] [--threads T] [--force] [filters]\n"
    "                   [--baseline BASE.json [--tolerance P] [--time-factor F] [--time-floor S]]\n"
    "       vigil bench --results RESULTS.json --baseline BASE.json [gate options]\n"
    "\n"
    "Runs every cell of a benchmark matrix (pipelines x datasets x normal classes or ID/OOD\n"
    "pairs x seeds; format in docs/BENCH.md), each as its own process: `vigil run` for Vigil\n"
    "pipelines, the peer script (bench/peers/*.py) for peers, on the same data. Cells already in\n"
    "OUT/results.json with the same pipeline hash are not rerun (--force reruns them); the file is\n"
    "rewritten after every cell, so an interrupted run resumes. Per cell it records every metric of\n"
    "the pipeline's evaluators (peers' scores go through the same evaluators), fit and score\n"
    "seconds, wall seconds, peak RSS of the cell's process, backend, plugin versions and the hash.\n"
    "\n"
    "Outputs in OUT (default bench-out/<matrix file name>): results.json, results.csv, results.md\n"
    "(AUROC mean ± std over seeds, best per row in bold; also printed), report.html (one\n"
    "self-contained page: tables, ROC curves, score histograms, thumbnails of the most normal and\n"
    "most anomalous test images of one cell, per-cell details), pipelines/ (each Vigil cell's\n"
    "pipeline, runnable with `vigil run`), scores/ (per-sample scores), logs/.\n"
    "\n"
    "Parallelism: --jobs cells at once, --threads each; jobs x threads must fit the thread budget\n"
    "(--budget, default the hardware threads). Default threads: the matrix's \"threads\" (else 1);\n"
    "default jobs: budget / threads.\n"
    "\n"
    "Regression gate: with --baseline, every finished baseline cell (of this run's selection) is\n"
    "compared with the same cell now: it regresses when its AUROC dropped by more than\n"
    "--tolerance points (1 point = 0.01 AUROC; 0.5 = half a point), when its fit + score time grew\n"
    "by more than --time-factor and by more than --time-floor seconds, or when it failed or is\n"
    "missing. Regressed cells are printed, one per line.\n"
    "\n"
    "exit codes: 0 every selected cell ok and no regression, 1 cancelled or internal error,\n"
    "            2 bad command line, 3 unreadable data, results or baseline, 4 invalid matrix,\n"
    "            6 regression against the baseline, 7 some cells failed (recorded in results.json)";

std::vector<std::string> split(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string x; std::getline(ss, x, ',');)
        if (!x.empty()) out.push_back(x);
    return out;
}

// Checks each Vigil pipeline once per dataset with the pipeline validator, so a
// wrong parameter is reported before hours of other cells run.
void validate_pipelines(const bench::Matrix &m, const Registry &reg) {
    std::set<std::string> seen;
    std::vector<std::string> errs;
    for (const auto &c : m.cells) {
        if (c.peer || !seen.insert(c.pipeline + "|" + c.dataset).second) continue;
        try {
            (void)parse_pipeline(bench::runnable_pipeline(m, c), m.base_dir, reg, {}, true);
        } catch (const Error &e) {
            std::string msg = e.what();
            std::string indented;
            std::stringstream ss(msg);
            for (std::string line; std::getline(ss, line);) indented += "\n    " + line;
            errs.push_back(c.json_path + " (pipeline '" + c.pipeline + "' on dataset '" + c.dataset + "'):" + indented);
        }
    }
    if (!errs.empty()) {
        std::string msg = m.path + ": invalid matrix";
        for (const auto &e : errs) msg += "\n  " + e;
        throw Error(ErrorKind::Pipeline, msg);
    }
}

int run_gate(const json &baseline, const json &current, const std::optional<std::vector<std::string>> &ids,
             const bench::GateOptions &g, const std::string &base_path) {
    const bench::GateReport rep = bench::gate(baseline, current, ids, g);
    size_t new_cells = 0;
    for (const auto &n : rep.notes) {
        if (n.find(": new (not in the baseline)") != std::string::npos) ++new_cells;
        else std::printf("gate: note: %s\n", n.c_str());
    }
    if (new_cells) std::printf("gate: note: %zu cells are new since the baseline (not gated)\n", new_cells);
    for (const auto &r : rep.regressions) std::printf("gate: REGRESSED %s\n", r.c_str());
    std::printf("gate: %zu of %d cells regressed against %s (AUROC tolerance %.2f points, time factor %.2f, floor %.2f s)\n",
                rep.regressions.size(), rep.compared, base_path.c_str(), g.tolerance_points, g.time_factor, g.time_floor);
    if (rep.compared == 0) std::printf("gate: warning: no baseline cell matched this selection\n");
    return rep.regressions.empty() ? 0 : 6;
}

} // namespace

int cmd_bench(int argc, char **argv) {
    std::string matrix_path, out_dir, results_path, baseline_path, focus, python, pipelines_f, classes_f, seeds_f;
    std::vector<std::string> plugin_dirs;
    int jobs = 0, threads = 0, budget = 0;
    double timeout = -1;
    bool force = false, no_peers = false, quiet = false, verbose = false;
    bench::GateOptions g;
    po::options_description opts("vigil bench options");
    opts.add_options()
        ("matrix", po::value(&matrix_path), "benchmark matrix JSON (positional; docs/BENCH.md)")
        ("out,o", po::value(&out_dir), "output folder (default bench-out/<matrix file name>)")
        ("results", po::value(&results_path), "results file (default OUT/results.json); alone with --baseline: gate it without running")
        ("jobs,J", po::value(&jobs), "cells run at once (default: budget / threads)")
        ("threads,j", po::value(&threads), "threads per cell (default: the matrix's \"threads\", else 1)")
        ("budget", po::value(&budget), "thread budget: jobs x threads may not exceed it (default: hardware threads)")
        ("force", po::bool_switch(&force), "rerun cells that already have a finished result")
        ("pipelines", po::value(&pipelines_f), "only these pipelines (comma-separated names; 'knn' also selects 'knn/raw', 'knn/raw/peer')")
        ("classes", po::value(&classes_f), "only these normal classes (comma-separated)")
        ("seeds", po::value(&seeds_f), "only these seeds (comma-separated)")
        ("no-peers", po::bool_switch(&no_peers), "skip peer (python) cells")
        ("timeout", po::value(&timeout), "seconds per cell before it is killed and recorded as failed (default: the matrix's \"timeout\", else none)")
        ("python", po::value(&python), "interpreter for peer scripts (default: the matrix's \"python\", else /usr/bin/python3)")
        ("focus", po::value(&focus), "cell id whose most normal / most anomalous test images the report shows (default: the first finished Vigil cell)")
        ("baseline", po::value(&baseline_path), "results file to gate against (see above)")
        ("tolerance", po::value(&g.tolerance_points)->default_value(0.5), "allowed AUROC drop in points (0.5 = 0.005 AUROC)")
        ("time-factor", po::value(&g.time_factor)->default_value(2.0), "allowed growth factor of fit + score seconds (0 = ignore time)")
        ("time-floor", po::value(&g.time_floor)->default_value(1.0), "a time regression must also add more than this many seconds")
        ("plugin-dir,P", po::value(&plugin_dirs)->composing(), "extra plugin folder (repeatable), passed on to every cell")
        ("quiet,q", po::bool_switch(&quiet), "no progress lines and no table on stdout")
        ("verbose,v", po::bool_switch(&verbose), "also show plugins' debug messages");
    po::positional_options_description pos;
    pos.add("matrix", 1);
    po::variables_map vm;
    if (!parse(argc, argv, kBenchUsage, opts, pos, vm)) return 0;
    if (g.tolerance_points < 0) throw Error(ErrorKind::Usage, "--tolerance must be >= 0 (AUROC points)");
    if (g.time_factor < 0 || (g.time_factor > 0 && g.time_factor < 1)) throw Error(ErrorKind::Usage, "--time-factor must be 0 (off) or >= 1");

    if (matrix_path.empty()) {
        if (results_path.empty() || baseline_path.empty())
            throw Error(ErrorKind::Usage, "missing MATRIX.json (or --results with --baseline to gate only; see --help)");
        const bench::Results cur = bench::Results::load(results_path), base = bench::Results::load(baseline_path);
        if (!fs::exists(results_path)) throw Error(ErrorKind::Input, results_path + ": no such results file");
        if (!fs::exists(baseline_path)) throw Error(ErrorKind::Input, baseline_path + ": no such baseline file");
        return run_gate(base.doc, cur.doc, std::nullopt, g, baseline_path);
    }
    if (!baseline_path.empty() && !fs::exists(baseline_path)) throw Error(ErrorKind::Input, baseline_path + ": no such baseline file");
    const bench::Results base = baseline_path.empty() ? bench::Results{} : bench::Results::load(baseline_path);

    Common common;
    common.plugin_dirs = plugin_dirs;
    common.quiet = quiet;
    common.verbose = verbose;
    const Registry reg = common.registry();
    bench::Matrix m = bench::load_matrix(matrix_path);
    validate_pipelines(m, reg);

    // Selection: filters narrow the cells; outputs cover the selection only.
    const auto pf = split(pipelines_f), cf = split(classes_f), sf = split(seeds_f);
    std::vector<bench::Cell> sel;
    for (const auto &c : m.cells) {
        if (no_peers && c.peer) continue;
        if (!pf.empty() && std::none_of(pf.begin(), pf.end(), [&](const std::string &p) {
                return c.pipeline == p || c.pipeline.rfind(p + "/", 0) == 0;
            }))
            continue;
        if (!cf.empty() && (!c.normal || std::find(cf.begin(), cf.end(), std::to_string(*c.normal)) == cf.end())) continue;
        if (!sf.empty() && std::find(sf.begin(), sf.end(), std::to_string(c.seed)) == sf.end()) continue;
        sel.push_back(c);
    }
    if (sel.empty()) throw Error(ErrorKind::Usage, "the filters (--pipelines, --classes, --seeds, --no-peers) select no cell of " + matrix_path);
    bench::Matrix view = m;
    view.cells = sel;
    view.pipelines.erase(std::remove_if(view.pipelines.begin(), view.pipelines.end(),
                                        [&](const std::string &p) {
                                            return std::none_of(sel.begin(), sel.end(), [&](const bench::Cell &c) { return c.pipeline == p; });
                                        }),
                         view.pipelines.end());
    for (auto &d : view.datasets)
        d.classes.erase(std::remove_if(d.classes.begin(), d.classes.end(),
                                       [&](int32_t k) {
                                           return std::none_of(sel.begin(), sel.end(), [&](const bench::Cell &c) {
                                               return c.dataset == d.name && c.normal == k;
                                           });
                                       }),
                        d.classes.end());
    view.datasets.erase(std::remove_if(view.datasets.begin(), view.datasets.end(),
                                       [&](const bench::DatasetInfo &d) {
                                           return std::none_of(sel.begin(), sel.end(), [&](const bench::Cell &c) { return c.dataset == d.name; });
                                       }),
                        view.datasets.end());

    // Thread budget.
    const int hw = std::max(1u, std::thread::hardware_concurrency());
    if (budget == 0) budget = hw;
    if (budget < 1) throw Error(ErrorKind::Usage, "--budget must be >= 1");
    if (threads == 0) threads = m.threads;
    if (threads < 1 || threads > 1024) throw Error(ErrorKind::Usage, "--threads must be in 1..1024");
    if (jobs == 0) jobs = std::max(1, budget / threads);
    if (jobs < 1) throw Error(ErrorKind::Usage, "--jobs must be >= 1");
    if (jobs * threads > budget)
        throw Error(ErrorKind::Usage, "--jobs " + std::to_string(jobs) + " x --threads " + std::to_string(threads) + " = " +
                                          std::to_string(jobs * threads) + " exceeds the thread budget " + std::to_string(budget) +
                                          " (--budget; default: the " + std::to_string(hw) + " hardware threads)");

    if (out_dir.empty()) out_dir = (fs::path("bench-out") / fs::path(matrix_path).stem()).string();
    fs::create_directories(out_dir);
    if (results_path.empty()) results_path = (fs::path(out_dir) / "results.json").string();
    bench::Results results = bench::Results::load(results_path);
    results.doc["matrix"] = {{"name", m.name}, {"path", matrix_path}};
    {
        std::string cpu;
        std::ifstream info("/proc/cpuinfo");
        for (std::string line; cpu.empty() && std::getline(info, line);)
            if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) cpu = line.substr(line.find(':') + 2);
        results.doc["host"] = {{"cpu", cpu}, {"hardware_threads", hw}, {"vigil", VIGIL_VERSION}};
    }

    bench::RunOptions ro;
    ro.out_dir = out_dir;
    ro.vigil_exe = fs::read_symlink("/proc/self/exe").string();
    ro.plugin_dirs.clear();
    for (const auto &d : plugin_dirs) ro.plugin_dirs.push_back(fs::absolute(d).string());
    ro.python = python.empty() ? m.python : python;
    ro.jobs = jobs;
    ro.threads = threads;
    ro.timeout = timeout >= 0 ? timeout : m.cell_timeout;
    ro.force = force;
    ro.quiet = quiet;
    std::vector<const bench::Cell *> cells;
    for (const auto &c : view.cells) cells.push_back(&c);
    const bench::RunSummary sum = bench::run_cells(view, cells, results, ro, reg);
    results.save();

    const std::string md = bench::markdown(view, results);
    bench::write_file_atomic((fs::path(out_dir) / "results.md").string(), md);
    bench::write_csv((fs::path(out_dir) / "results.csv").string(), view, results);
    bench::write_html_report((fs::path(out_dir) / "report.html").string(), view, results, out_dir, focus);
    if (!quiet) {
        std::printf("%s\n", md.c_str());
        std::printf("vigil bench: %d run (%d failed), %d already finished; wrote %s/{results.json,results.csv,results.md,report.html}\n",
                    sum.ran, sum.failed, sum.skipped, out_dir.c_str());
    }
    if (sum.cancelled) {
        std::fprintf(stderr, "vigil bench: cancelled; finished cells are kept in %s, rerun to resume\n", results_path.c_str());
        return 1;
    }
    int rc = 0;
    if (!baseline_path.empty()) {
        std::vector<std::string> ids;
        for (const auto &c : view.cells) ids.push_back(c.id);
        rc = run_gate(base.doc, results.doc, ids, g, baseline_path);
    }
    if (rc == 0) {
        int failed = 0;
        for (const auto &c : view.cells)
            if (const json *r = results.cell(c.id); !r || r->value("status", "") != "ok") ++failed;
        if (failed) {
            std::fprintf(stderr, "vigil bench: %d cells failed; see results.json (\"error\") and %s/logs/\n", failed, out_dir.c_str());
            rc = 7;
        }
    }
    return rc;
}

} // namespace vigil::cli
