// log_density.cpp — see log_density.hpp.
#include "log_density.hpp"

#include <algorithm>
#include <cmath>

namespace vigil_kde {

void log_density(vigil::compute::Backend &backend, const vigil::sdk::Host &host, const vigil::compute::Resident &train,
                 const float *q, int64_t m, const std::vector<double> &bandwidths, double *out) {
    const int64_t n = train.rows(), d = train.cols();
    const int64_t B = std::max<int64_t>(1, std::min<int64_t>(m, (int64_t(1) << 23) / std::max<int64_t>(n, 1)));
    const int nb = static_cast<int>(bandwidths.size());
    std::vector<float> dist(static_cast<size_t>(B * n));
    const double log_n = std::log(double(n));
    for (int64_t b0 = 0; b0 < m; b0 += B) {
        host.check_cancelled();
        const int64_t mb = std::min(B, m - b0);
        backend.sqdist(train, q + b0 * d, mb, dist.data());
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(host.threads()))
        for (int64_t i = 0; i < mb; ++i) {
            const float *row = dist.data() + i * n;
            const float dmin = *std::min_element(row, row + n);
            for (int b = 0; b < nb; ++b) {
                const double h = bandwidths[b];
                // Σ_j exp(−(d_j − d_min) / 2h²): every term ≤ 1 and the nearest is 1.
                const float c = static_cast<float>(-0.5 / (h * h));
                double s = 0;
                for (int64_t j = 0; j < n; ++j) s += std::exp(c * (row[j] - dmin));
                out[b * m + b0 + i] = double(c) * dmin + std::log(s) - log_n - 0.5 * double(d) * std::log(2 * M_PI * h * h);
            }
        }
        host.progress(static_cast<uint64_t>(b0 + mb), static_cast<uint64_t>(m), "kde");
    }
}

} // namespace vigil_kde
