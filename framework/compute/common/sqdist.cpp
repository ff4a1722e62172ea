// sqdist.cpp — Backend::sqdist (backend.hpp): a block of all pairwise squared
// distances, for methods that use every distance rather than the k smallest
// (kde's kernel sums). Written once on top of each backend's matmul_abt.
#include <vigil/compute/backend.hpp>

#include <algorithm>
#include <vector>

namespace vigil::compute {

void Backend::sqdist(const Resident &r, const float *q, int64_t m, float *out) {
    const int64_t n = r.rows(), d = r.cols();
    if (m <= 0 || n == 0) return;
    std::vector<float> tn(static_cast<size_t>(n));
    row_sqnorms(r, tn.data());
    matmul_abt(q, m, r, out);
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(host_.threads()))
    for (int64_t i = 0; i < m; ++i) {
        const float *qi = q + i * d;
        double s = 0;
        for (int64_t j = 0; j < d; ++j) s += double(qi[j]) * qi[j];
        const float qn = static_cast<float>(s);
        float *row = out + i * n;
        for (int64_t j = 0; j < n; ++j) row[j] = std::max(0.0f, qn + tn[j] - 2.0f * row[j]);
    }
}

} // namespace vigil::compute
