// confusion.cpp — confusion counts at a threshold and their rates (see confusion.hpp).
#include <vigil/metrics/confusion.hpp>

#include <cmath>

namespace vigil::metrics {
namespace {

// num / den, or 0 when den == 0 (sklearn's zero_division result).
double ratio(int64_t num, int64_t den) {
    return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0;
}

template <class T> Confusion count(const T *scores, const int32_t *labels, size_t n, double threshold) {
    check_binary(scores, labels, n);
    if (std::isnan(threshold)) throw InvalidInput("the threshold is NaN");
    Confusion c;
    for (size_t i = 0; i < n; ++i) {
        const bool predicted = static_cast<double>(scores[i]) >= threshold;
        if (labels[i] == 1)
            (predicted ? c.tp : c.fn) += 1;
        else
            (predicted ? c.fp : c.tn) += 1;
    }
    return c;
}

} // namespace

double Confusion::accuracy() const { return ratio(tp + tn, tp + tn + fp + fn); }
double Confusion::precision() const { return ratio(tp, tp + fp); }
double Confusion::recall() const { return ratio(tp, tp + fn); }
// 2PR/(P+R) with P = tp/(tp+fp), R = tp/(tp+fn) simplifies to 2tp/(2tp+fp+fn)
// for tp > 0; for tp = 0 both forms give 0 (sklearn: 0 when P + R = 0).
double Confusion::f1() const { return ratio(2 * tp, 2 * tp + fp + fn); }
double Confusion::fpr() const { return ratio(fp, fp + tn); }

Confusion confusion_at(const double *scores, const int32_t *labels, size_t n, double threshold) {
    return count(scores, labels, n, threshold);
}
Confusion confusion_at(const float *scores, const int32_t *labels, size_t n, double threshold) {
    return count(scores, labels, n, threshold);
}

} // namespace vigil::metrics
