// bench_run.hpp — runs the cells of a matrix as child processes, in parallel
// within a thread budget, and records each one in the results file.
//
// Why this file exists: a cell in its own process is isolated (a crash or a
// plugin abort fails that cell only, with its stderr kept), its peak memory is
// that process's maximum RSS (from wait4), and Vigil cells run exactly what a
// user would with `vigil run`. Results are saved after every finished cell,
// so an interrupted benchmark resumes where it stopped.
#pragma once

#include "bench_matrix.hpp"
#include "bench_results.hpp"

#include <vigil/framework/registry.hpp>

#include <string>
#include <vector>

namespace vigil::bench {

struct RunOptions {
    std::string out_dir;                   // pipelines/, scores/, logs/ go here
    std::string vigil_exe;                 // this program
    std::vector<std::string> plugin_dirs;  // passed on as -P
    std::string python;                    // interpreter for peer cells
    int jobs = 1, threads = 1;             // cells at once; threads per cell
    double timeout = 0;                    // seconds per cell; 0 = none
    bool force = false;                    // rerun finished cells too
    bool quiet = false;                    // no progress lines
};

struct RunSummary {
    int ran = 0, skipped = 0, failed = 0;
    bool cancelled = false;
};

// Runs every cell of `cells` that has no finished record with the same
// pipeline hash in `results` (all of them with opts.force), saving `results`
// after each one. Peer cells' metrics come from Vigil's evaluators run on the
// scores the peer wrote, so both sides are measured by the same code.
RunSummary run_cells(const Matrix &m, const std::vector<const Cell *> &cells, Results &results, const RunOptions &opts,
                     const Registry &reg);

} // namespace vigil::bench
