// roc.hpp — the ROC curve and the metrics read off it: AUROC, average
// precision, FPR at a given TPR, Youden's threshold.
//
// Why this file exists: the `roc` and `threshold` evaluators both need the
// ROC curve; it is computed once, here, the way scikit-learn's
// roc_curve/_binary_clf_curve does (tests compare against sklearn 1.2 output,
// tests/reference/metrics_reference.json), so published numbers are
// comparable with Python baselines.
//
// Convention: label 1 is the positive class, higher score = more positive,
// and a sample is predicted positive when score >= threshold.
#pragma once

#include <vigil/metrics/input.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil::metrics {

// One point per distinct score, in descending score order (the output of
// sklearn's roc_curve with drop_intermediate=False, less its leading sentinel
// point at the origin, which is implicit here: nothing predicted positive).
// Tied scores form one point: they cannot be separated by any threshold.
struct RocCurve {
    std::vector<double> thresholds; // distinct scores, strictly descending
    std::vector<int64_t> tps;       // positives with score >= thresholds[i] (cumulative)
    std::vector<int64_t> fps;       // negatives with score >= thresholds[i] (cumulative)
    int64_t positives = 0;          // = tps.back() when not empty
    int64_t negatives = 0;          // = fps.back() when not empty

    size_t size() const { return thresholds.size(); }
    // tps[i] / positives (0 when there are no positives); same for fpr.
    double tpr(size_t i) const;
    double fpr(size_t i) const;
};

// Validates (check_binary) and builds the curve: O(n log n).
RocCurve roc_curve(const double *scores, const int32_t *labels, size_t n);
RocCurve roc_curve(const float *scores, const int32_t *labels, size_t n);

// Area under the ROC curve by the trapezoid rule from the origin, i.e. the
// Mann-Whitney statistic P(score_pos > score_neg) + P(tie)/2. Needs both classes.
double auroc(const RocCurve &c);

// sklearn's average_precision_score: sum over distinct thresholds, descending,
// of (R_n - R_{n-1}) * P_n (no interpolation). Needs at least one positive.
double average_precision(const RocCurve &c);

// The FPR at the first curve point (highest threshold) whose TPR >= min_tpr,
// e.g. min_tpr = 0.95 for the "FPR at 95% TPR" of the OOD literature.
// Needs both classes and 0 <= min_tpr <= 1.
double fpr_at_tpr(const RocCurve &c, double min_tpr);

// Youden's J = TPR - FPR, maximised over the curve's thresholds.
struct YoudenPoint {
    size_t index = 0;     // into the curve
    double threshold = 0; // predict positive when score >= threshold
    double tpr = 0, fpr = 0, j = 0;
};
// Ties of J go to the first point, i.e. the highest threshold, as np.argmax
// does on roc_curve's output. J is compared exactly (tps*N - fps*P in
// integers), so mathematically equal J values are ties even where the floats
// tpr - fpr differ in the last bit (0.4 - 0.2 > 0.3 - 0.1 in doubles).
// The origin (sklearn's sentinel threshold, which is not a score) is not a
// candidate: where np.argmax would pick it (no threshold beats chance,
// max J = 0) we return the highest real threshold with J = 0.
// Needs both classes.
YoudenPoint youden(const RocCurve &c);

} // namespace vigil::metrics
