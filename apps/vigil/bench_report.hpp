// bench_report.hpp — the self-contained HTML report of a benchmark run.
//
// Why this file exists: people read benchmarks as the papers' figures — a
// per-class table, ROC curves, score histograms of normal vs anomalous test
// samples and the most normal / most anomalous test images. One HTML file with
// all of them inline opens anywhere, offline, and can be kept as a CI artefact.
#pragma once

#include "bench_matrix.hpp"
#include "bench_results.hpp"

#include <string>

namespace vigil::bench {

// Renders the cells of `m` from `r` (scores files are read from out_dir);
// `focus` names the cell whose thumbnails are shown ("" = first finished Vigil cell).
void write_html_report(const std::string &path, const Matrix &m, const Results &r, const std::string &out_dir, const std::string &focus);

} // namespace vigil::bench
