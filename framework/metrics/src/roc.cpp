// roc.cpp — ROC curve, AUROC, average precision, FPR at TPR, Youden (see roc.hpp).
// Counts are integers; every sum of fractions is accumulated in double.
#include <vigil/metrics/roc.hpp>

#include <algorithm>
#include <numeric>
#include <string>

namespace vigil::metrics {

double RocCurve::tpr(size_t i) const {
    return positives > 0 ? static_cast<double>(tps[i]) / static_cast<double>(positives) : 0.0;
}
double RocCurve::fpr(size_t i) const {
    return negatives > 0 ? static_cast<double>(fps[i]) / static_cast<double>(negatives) : 0.0;
}

RocCurve roc_curve(const double *scores, const int32_t *labels, size_t n) {
    const ClassCounts counts = check_binary(scores, labels, n);
    // Sort descending by score (like sklearn's argsort of -score); the order
    // inside a group of tied scores does not matter, since a point is only
    // emitted after the last member of its group.
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    RocCurve c;
    c.positives = counts.positives;
    c.negatives = counts.negatives;
    int64_t tp = 0, fp = 0;
    for (size_t k = 0; k < n; ++k) {
        const size_t i = order[k];
        (labels[i] == 1 ? tp : fp) += 1;
        // A new point where the next score differs (== treats -0 and +0 as one).
        if (k + 1 == n || scores[order[k + 1]] != scores[i]) {
            c.thresholds.push_back(scores[i]);
            c.tps.push_back(tp);
            c.fps.push_back(fp);
        }
    }
    return c;
}

RocCurve roc_curve(const float *scores, const int32_t *labels, size_t n) {
    check_binary(scores, labels, n); // names the bad element before conversion
    std::vector<double> d(scores, scores + n); // float -> double is exact
    return roc_curve(d.data(), labels, n);
}

double auroc(const RocCurve &c) {
    require_both_classes({c.negatives, c.positives}, "AUROC");
    // Trapezoid rule over (fpr_i, tpr_i), starting at the origin:
    //   area = sum_i (fpr_i - fpr_{i-1}) (tpr_i + tpr_{i-1}) / 2
    //        = sum_i (fps_i - fps_{i-1}) (tps_i + tps_{i-1}) / (2 P N).
    // Each term counts, for the negatives entering at point i, the positives
    // scored strictly higher (tps_{i-1}) plus half of those tied with them
    // ((tps_i - tps_{i-1}) / 2): the Mann-Whitney U with ties, over P N.
    // The integer terms sum exactly in double while 2 P N < 2^53.
    double twice_area = 0.0;
    int64_t prev_tp = 0, prev_fp = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        twice_area += static_cast<double>(c.fps[i] - prev_fp) * static_cast<double>(c.tps[i] + prev_tp);
        prev_tp = c.tps[i];
        prev_fp = c.fps[i];
    }
    return twice_area / (2.0 * static_cast<double>(c.positives) * static_cast<double>(c.negatives));
}

double average_precision(const RocCurve &c) {
    if (c.positives == 0) throw InvalidInput("average precision needs at least one positive sample");
    // AP = sum_n (R_n - R_{n-1}) P_n over points in descending threshold order,
    // with R_n = tps_n / P and P_n = tps_n / (tps_n + fps_n). Points that add
    // no positive (R_n = R_{n-1}) contribute nothing. Pulling out the common
    // 1/P: AP = (1/P) sum_n (tps_n - tps_{n-1}) tps_n / (tps_n + fps_n).
    double sum = 0.0;
    int64_t prev_tp = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        if (c.tps[i] == prev_tp) continue;
        const double precision = static_cast<double>(c.tps[i]) / static_cast<double>(c.tps[i] + c.fps[i]);
        sum += static_cast<double>(c.tps[i] - prev_tp) * precision;
        prev_tp = c.tps[i];
    }
    return sum / static_cast<double>(c.positives);
}

double fpr_at_tpr(const RocCurve &c, double min_tpr) {
    require_both_classes({c.negatives, c.positives}, "FPR at a given TPR");
    if (!(min_tpr >= 0.0 && min_tpr <= 1.0))
        throw InvalidInput("fpr_at_tpr: the TPR level must lie in [0, 1], got " + std::to_string(min_tpr));
    // tpr(i) = tps_i / P rounded to double compares with min_tpr like the
    // exact fraction does: rounding is monotonic, and tps/P differs from a
    // level such as 0.95 = 19/20 by at least 1/(20 P), far above one ulp.
    for (size_t i = 0; i < c.size(); ++i)
        if (c.tpr(i) >= min_tpr) return c.fpr(i);
    return 1.0; // unreachable: the last point has TPR = 1
}

YoudenPoint youden(const RocCurve &c) {
    require_both_classes({c.negatives, c.positives}, "Youden's threshold");
    // J_i = tps_i / P - fps_i / N, so J_i P N = tps_i N - fps_i P: an exact
    // integer (|.| <= P N < 2^62 for n < 2^32, checked by check_binary).
    // Strict '>' keeps the first (highest-threshold) point among ties.
    size_t best = 0;
    int64_t best_key = 0;
    for (size_t i = 0; i < c.size(); ++i) {
        const int64_t key = c.tps[i] * c.negatives - c.fps[i] * c.positives;
        if (i == 0 || key > best_key) {
            best = i;
            best_key = key;
        }
    }
    YoudenPoint y;
    y.index = best;
    y.threshold = c.thresholds[best];
    y.tpr = c.tpr(best);
    y.fpr = c.fpr(best);
    y.j = y.tpr - y.fpr;
    return y;
}

} // namespace vigil::metrics
