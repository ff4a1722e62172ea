// input.cpp — validation of (score, label) input (see input.hpp).
#include <vigil/metrics/input.hpp>

#include <cmath>
#include <string>

namespace vigil::metrics {
namespace {

template <class T> ClassCounts check(const T *scores, const int32_t *labels, size_t n) {
    // youden() compares tps*N - fps*P in int64: exact while P*N < 2^63,
    // which holds for n < 2^32 (P*N <= (n/2)^2 = 2^62).
    if (static_cast<uint64_t>(n) >= (uint64_t{1} << 32))
        throw InvalidInput("too many samples for one evaluation (" + std::to_string(n) + ", limit 2^32 - 1)");
    if (n > 0 && (!scores || !labels)) throw InvalidInput("scores or labels are NULL");
    ClassCounts c;
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(scores[i]))
            throw InvalidInput("score at index " + std::to_string(i) + " is " +
                               (std::isnan(scores[i]) ? "NaN" : scores[i] > 0 ? "+Inf" : "-Inf") +
                               "; scores must be finite");
        if (labels[i] == 0) {
            ++c.negatives;
        } else if (labels[i] == 1) {
            ++c.positives;
        } else {
            throw InvalidInput("label at index " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                               "; labels must be 0 (normal) or 1 (anomaly)");
        }
    }
    return c;
}

std::string samples(int64_t k, const char *what) {
    return std::to_string(k) + " " + what + (k == 1 ? " sample" : " samples");
}

} // namespace

ClassCounts check_binary(const double *scores, const int32_t *labels, size_t n) { return check(scores, labels, n); }
ClassCounts check_binary(const float *scores, const int32_t *labels, size_t n) { return check(scores, labels, n); }

void require_both_classes(const ClassCounts &c, const char *metric) {
    if (c.negatives > 0 && c.positives > 0) return;
    const std::string head = std::string(metric) + " needs both normal (0) and anomalous (1) samples; got ";
    if (c.negatives == 0 && c.positives == 0) throw InvalidInput(head + "no samples");
    throw InvalidInput(head + "only " +
                       (c.positives == 0 ? samples(c.negatives, "normal (0)") : samples(c.positives, "anomalous (1)")));
}

} // namespace vigil::metrics
