// batchnorm_f32.cpp — batch normalisation for float32 [n, c, spatial] on the
// cpu, in OpenMP loops instead of oneDNN.
//
// Why not oneDNN: for the plain NCHW layout the engine keeps its
// activations in, oneDNN 2.6 only has its generic "ncsp" batch norm, which
// is slower than these loops on every shape of this project's networks
// (bench/nn/bn_bench.cpp, one thread, training forward + backward:
// WRN-10-4's 128×64×32×32 44.9 ms oneDNN vs 17.3 ms here; Deep SVDD LeNet's
// 200×8×28×28 5.9 vs 1.2 ms).
//
// Numerics as the reference loops where it matters — statistics and the
// backward's two sums in double, two passes for the variance — but
// vectorised (omp simd reductions), with the per-element work in float:
//   forward   y  = (x − μ)·a + β,            a = γ·rstd
//   backward  gx = gy·A + (x − μ)·B + C,     A = γ·rstd, B = −A·rstd·Σ(gy·x̂)/m,
//                                            C = −A·Σgy/m   (x̂ = (x − μ)·rstd)
// (global_stats: gx = gy·A). Centring before scaling, rather than folding μ
// into the offset, keeps float precision when |μ| is large against the
// spread. Work is split by channel (static schedule), so results do not
// depend on the thread count; with fewer channels than threads the loops run
// on fewer threads rather than splitting a channel's sums (which would
// change their order).
#include "batchnorm_f32.hpp"

#include "reference.hpp"

#include <cmath>

namespace vigil::nn::detail::fast {

namespace {

// The per-channel loops are compiled for AVX-512, AVX2 and baseline x86-64
// and picked at load time (GCC function multi-versioning): the build has no
// -march flag, and the double-precision sums are latency-bound on SSE2.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define VIGIL_BN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VIGIL_BN_CLONES
#endif

// Σ over the channel's planes of x, and of (x − m)², in double.
VIGIL_BN_CLONES void channel_moments(const float *x, int64_t n, int64_t c, int64_t s, int64_t ch, double &mean, double &var) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float *p = x + (i * c + ch) * s;
#pragma omp simd reduction(+ : sum)
        for (int64_t j = 0; j < s; ++j) sum += p[j];
    }
    mean = sum / double(n * s);
    const double m = mean;
    double sq = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float *p = x + (i * c + ch) * s;
#pragma omp simd reduction(+ : sq)
        for (int64_t j = 0; j < s; ++j) {
            const double d = double(p[j]) - m;
            sq += d * d;
        }
    }
    var = sq / double(n * s);
}

// y = (x − mu)·a + b over the channel's planes.
VIGIL_BN_CLONES void channel_affine(const float *x, float *y, int64_t n, int64_t c, int64_t s, int64_t ch, float mu, float a, float b) {
    for (int64_t i = 0; i < n; ++i) {
        const float *xp = x + (i * c + ch) * s;
        float *yp = y + (i * c + ch) * s;
#pragma omp simd
        for (int64_t j = 0; j < s; ++j) yp[j] = (xp[j] - mu) * a + b;
    }
}

// Σ gy and Σ gy·(x − mu) over the channel's planes, in double.
VIGIL_BN_CLONES void channel_grad_sums(const float *x, const float *gy, int64_t n, int64_t c, int64_t s, int64_t ch,
                                       double mu, double &sg, double &sgxc) {
    double a = 0, b = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float *xp = x + (i * c + ch) * s;
        const float *gp = gy + (i * c + ch) * s;
#pragma omp simd reduction(+ : a, b)
        for (int64_t j = 0; j < s; ++j) {
            a += gp[j];
            b += double(gp[j]) * (double(xp[j]) - mu);
        }
    }
    sg = a;
    sgxc = b;
}

// gx = gy·A + (x − mu)·B + C over the channel's planes (gy·A alone for global statistics).
VIGIL_BN_CLONES void channel_grad(const float *x, const float *gy, float *gx, int64_t n, int64_t c, int64_t s, int64_t ch,
                                  float mu, float fa, float fb, float fc, bool global_stats) {
    for (int64_t i = 0; i < n; ++i) {
        const float *xp = x + (i * c + ch) * s;
        const float *gp = gy + (i * c + ch) * s;
        float *gxp = gx + (i * c + ch) * s;
        if (global_stats) {
#pragma omp simd
            for (int64_t j = 0; j < s; ++j) gxp[j] = gp[j] * fa;
        } else {
#pragma omp simd
            for (int64_t j = 0; j < s; ++j) gxp[j] = gp[j] * fa + ((xp[j] - mu) * fb + fc);
        }
    }
}

bool parallel(int64_t n, int64_t c, int64_t s) { return c > 1 && n * c * s >= ref::kParallelMin; }

} // namespace

void bn_forward_train(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *var, int64_t n,
                      int64_t c, int64_t s, double eps) {
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (parallel(n, c, s))
    for (int64_t ch = 0; ch < c; ++ch) {
        double m, v;
        channel_moments(x, n, c, s, ch, m, v);
        mean[ch] = static_cast<float>(m);
        var[ch] = static_cast<float>(v);
        const double a = (gamma ? double(gamma[ch]) : 1.0) / std::sqrt(v + eps);
        channel_affine(x, y, n, c, s, ch, static_cast<float>(m), static_cast<float>(a), beta ? beta[ch] : 0.0f);
    }
}

void bn_forward_eval(const float *x, const float *gamma, const float *beta, const float *mean, const float *var, float *y,
                     int64_t n, int64_t c, int64_t s, double eps) {
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (parallel(n, c, s))
    for (int64_t ch = 0; ch < c; ++ch) {
        const double a = (gamma ? double(gamma[ch]) : 1.0) / std::sqrt(double(var[ch]) + eps);
        channel_affine(x, y, n, c, s, ch, mean[ch], static_cast<float>(a), beta ? beta[ch] : 0.0f);
    }
}

void bn_backward(const float *x, const float *gy, const float *gamma, const float *mean, const float *var, float *gx,
                 float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s, double eps, bool global_stats) {
    const double m = double(n * s);
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (parallel(n, c, s))
    for (int64_t ch = 0; ch < c; ++ch) {
        const double mu = mean[ch], rstd = 1.0 / std::sqrt(double(var[ch]) + eps);
        double sg, sgxc;  // Σ gy, Σ gy·(x − μ)
        channel_grad_sums(x, gy, n, c, s, ch, mu, sg, sgxc);
        const double sgx = sgxc * rstd;  // Σ gy·x̂
        if (ggamma) ggamma[ch] = static_cast<float>(sgx);
        if (gbeta) gbeta[ch] = static_cast<float>(sg);
        const double A = (gamma ? double(gamma[ch]) : 1.0) * rstd;
        const double B = global_stats ? 0.0 : -A * rstd * sgx / m;
        const double C = global_stats ? 0.0 : -A * sg / m;
        const float fa = static_cast<float>(A), fb = static_cast<float>(B), fc = static_cast<float>(C);
        channel_grad(x, gy, gx, n, c, s, ch, static_cast<float>(mu), fa, fb, fc, global_stats);
    }
}

} // namespace vigil::nn::detail::fast
