// input.hpp — validation of (score, label) input shared by every metric.
//
// Why this file exists: the evaluator ABI (vigil_plugin.h) fixes the label
// convention (0 = normal, 1 = anomaly/OOD) and forbids NaN/Inf, and every
// metric must refuse the same bad input with the same message. Metrics treat
// label 1 as the positive class; callers that want the other direction flip
// labels (and negate scores) after validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace vigil::metrics {

// Unusable input: a non-finite score, a label outside {0, 1}, a missing
// class. The message names the offending element or the missing class.
class InvalidInput : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct ClassCounts {
    int64_t negatives = 0; // label 0 (normal)
    int64_t positives = 0; // label 1 (anomaly)
};

// Counts both classes; throws InvalidInput naming the first element whose
// score is NaN/Inf or whose label is not 0 or 1. n must be < 2^32 (counts are
// cross-multiplied in int64 by youden()). scores/labels may be NULL if n == 0.
ClassCounts check_binary(const double *scores, const int32_t *labels, size_t n);
ClassCounts check_binary(const float *scores, const int32_t *labels, size_t n);

// Throws InvalidInput unless both classes are present, e.g.
// "AUROC needs both normal (0) and anomalous (1) samples; got only 12 normal (0) samples".
void require_both_classes(const ClassCounts &c, const char *metric);

} // namespace vigil::metrics
