// kernel_expansion.cpp — blocked scoring of a fitted kernel expansion (kernel_expansion.hpp).
#include <vigil/classic/kernel_expansion.hpp>

#include <algorithm>
#include <cmath>

namespace vigil::classic {

using sdk::fail;
using sdk::require;

KernelExpansion::KernelExpansion(compute::Backend &backend, const sdk::Host &host, const SvmModel &m)
    : backend_(backend), host_(host), k_(m.kernel), d_(m.d), nsv_(m.n_sv()), centre_(m.centre), coef_(m.coef) {
    require(nsv_ >= 1 && d_ >= 1 && static_cast<int64_t>(m.sv.size()) == nsv_ * d_,
            "kernel expansion: inconsistent model sizes", VIGIL_ERR_INTERNAL);
    std::vector<float> svc(m.sv.size());
    centre_rows(m.sv.data(), nsv_, d_, centre_, svc.data());
    sv_norms_.resize(static_cast<size_t>(nsv_));
    squared_norms(svc.data(), nsv_, d_, sv_norms_.data());
    resident_ = backend.upload(svc.data(), nsv_, d_);
}

void KernelExpansion::evaluate(const float *x, int64_t m, double *sum, double *self) {
    if (m <= 0) return;
    // At most 2^22 dot products (16 MiB) per block; the buffers persist across
    // calls (the host scores batch after batch), so their pages fault in once.
    const int64_t block = std::max<int64_t>(1, std::min<int64_t>(m, (int64_t(1) << 22) / nsv_));
    if (block > scratch_rows_) {
        xc_.reset(new float[static_cast<size_t>(block * d_)]);
        dots_.reset(new float[static_cast<size_t>(block * nsv_)]);
        xn_.resize(static_cast<size_t>(block));
        scratch_rows_ = block;
    }
    float *xc = xc_.get(), *dots = dots_.get();
    double *xn = xn_.data();
    const int threads = static_cast<int>(host_.threads());
    for (int64_t r0 = 0; r0 < m; r0 += block) {
        host_.check_cancelled();
        const int64_t mb = std::min(block, m - r0);
        centre_rows(x + r0 * d_, mb, d_, centre_, xc);
        squared_norms(xc, mb, d_, xn);
        backend_.matmul_abt(xc, mb, *resident_, dots);
        int bad = 0;
#pragma omp parallel num_threads(threads) reduction(+ : bad)
        {
            std::vector<double> kv(static_cast<size_t>(nsv_));
            // Each row is summed by one thread in a fixed order: any schedule gives the same bits.
#pragma omp for schedule(dynamic, 16)
            for (int64_t r = 0; r < mb; ++r) {
                if (!kernel_from_dots(k_, dots + r * nsv_, nsv_, xn[r], sv_norms_.data(), kv.data())) ++bad;
                double s = 0;
                for (int64_t i = 0; i < nsv_; ++i) s += coef_[i] * kv[i];
                if (!std::isfinite(s)) ++bad;
                sum[r0 + r] = s;
                if (self) {
                    self[r0 + r] = kernel_self(k_, xn[r]);
                    if (!std::isfinite(self[r0 + r])) ++bad;
                }
            }
        }
        if (bad) fail(VIGIL_ERR_INVALID_ARGUMENT, kernel_overflow_message(k_));
        host_.progress(static_cast<uint64_t>(r0 + mb), static_cast<uint64_t>(m), "svm score");
    }
}

} // namespace vigil::classic
