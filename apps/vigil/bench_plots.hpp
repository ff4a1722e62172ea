// bench_plots.hpp — the figures of the bench report as inline SVG: ROC curves
// and score histograms (normal vs anomalous).
//
// Why this file exists: the HTML report must open offline, with no scripts
// or fonts fetched from anywhere; hand-written SVG is small, sharp at any
// zoom and needs nothing but the browser.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::bench {

// ROC curve points (FPR, TPR) from scores (higher = more anomalous, label 1 =
// anomaly), one point per distinct score, thinned to at most `max_points`
// while keeping both ends. Drawing only: the reported AUROC comes from the
// `roc` evaluator plugin, not from this.
std::vector<std::pair<double, double>> roc_points(const std::vector<float> &scores, const std::vector<int32_t> &labels,
                                                  size_t max_points = 250);

struct Curve {
    std::string name, color;
    bool dashed = false;
    std::vector<std::pair<double, double>> points;
};
// One ROC plot with every curve, a chance diagonal and a legend.
std::string roc_svg(const std::vector<Curve> &curves, const std::string &title, int size = 300);

// Histogram of normal (label 0) and anomalous (label 1) scores, each
// normalised to unit area, over the 0.5–99.5 % quantile range of all scores
// (outliers go to the edge bins, so one extreme score cannot flatten the plot).
std::string histogram_svg(const std::vector<float> &scores, const std::vector<int32_t> &labels, const std::string &caption,
                          int width = 180, int height = 90, int bins = 30);

// A colour per series index, distinguishable in print and for most colour-blind readers.
std::string palette(size_t i);
// Text escaped for HTML and SVG.
std::string esc(const std::string &s);

} // namespace vigil::bench
