// confusion.hpp — confusion counts at a fixed threshold and the rates derived
// from them (accuracy, precision, recall, F1, TPR, FPR).
//
// Why this file exists: a detector is deployed with a threshold; users want
// to know what that threshold does, in the same terms as sklearn's
// accuracy_score / precision_score / recall_score / f1_score.
//
// Convention: label 1 is positive; predicted positive when score >= threshold.
#pragma once

#include <vigil/metrics/input.hpp>

#include <cstddef>
#include <cstdint>

namespace vigil::metrics {

struct Confusion {
    int64_t tp = 0, fp = 0, tn = 0, fn = 0;

    // Every ratio whose denominator is 0 is 0, as sklearn's zero_division
    // default ("warn") returns (e.g. precision with no predicted positives).
    double accuracy() const;  // (tp + tn) / n
    double precision() const; // tp / (tp + fp)
    double recall() const;    // tp / (tp + fn) = TPR
    double f1() const;        // 2 tp / (2 tp + fp + fn) = harmonic mean of precision and recall
    double tpr() const { return recall(); }
    double fpr() const;       // fp / (fp + tn)
};

// Validates (check_binary) and counts. One class alone is accepted.
Confusion confusion_at(const double *scores, const int32_t *labels, size_t n, double threshold);
Confusion confusion_at(const float *scores, const int32_t *labels, size_t n, double threshold);

} // namespace vigil::metrics
