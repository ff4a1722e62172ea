// ecdf.hpp — COPOD's per-feature tail probabilities and the order in which a
// sample's tails are added, written once as __host__ __device__ functions.
//
// Why this file exists: the cpu scorer (score_cpu.cpp) and the CUDA kernel
// (tail_kernel.cu) must compute the same numbers; both call these functions
// on the same tables, and both add the terms in the order fixed here, so the
// two variants give the same bits. Plain arrays only (nvcc compiles it).
//
// Tables (built at fit, copod.cpp), N training samples, D features:
//   start[j] .. start[j+1]      the distinct training values of feature j
//                               (values[], ascending): the sorted column,
//                               run-length encoded
//   below[start[j] + j + p]     number of training values of feature j that
//                               are < values[start[j] + p], for p = 0..k_j
//                               (k_j distinct values; the last entry is N)
//   neglog[c], c = 0..N         −log((1 + c) / (N + 1)) = log(N + 1) − log(1 + c)
//   left_tail[j]                1 where the training skewness of feature j is < 0
//
// Tail probabilities of a test value x of feature j (copod.cpp says why):
//   F̂(x) = (1 + #{i : t_ij ≤ x}) / (N + 1)     left tail,  term −log F̂(x)
//   F̄(x) = (1 + #{i : t_ij ≥ x}) / (N + 1)     right tail, term −log F̄(x)
// i.e. the empirical CDF (and its complement) of the training column with x
// itself added; never 0, so no log(0), and ties count on both sides.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define VIGIL_HD __host__ __device__
#else
#define VIGIL_HD
#endif

namespace vigil::copod {

struct Tables {
    int64_t d;
    const int64_t *start;
    const float *values;
    const int32_t *below;
    const double *neglog;
    const uint8_t *left_tail;
};

// A sample's terms are added in chunks of kChunk consecutive features: each
// chunk's three partial sums start from 0 and run j upwards; the totals start
// from 0 and add the chunk partials in chunk order. (The chunks give the
// CUDA kernel one thread per sample × chunk; the cpu adds in the same order.)
constexpr int64_t kChunk = 64;
VIGIL_HD inline int64_t chunk_count(int64_t d) { return (d + kChunk - 1) / kChunk; }

// Number of entries of v[0..k) (ascending) that are <= x; branch-free.
VIGIL_HD inline int64_t count_le(const float *v, int64_t k, float x) {
    if (k <= 0) return 0;
    const float *b = v;
    while (k > 1) {
        const int64_t half = k / 2;
        b = (b[half] <= x) ? b + half : b;
        k -= half;
    }
    return (b - v) + (*b <= x ? 1 : 0);
}

// −log F̂(x) and −log F̄(x) of value x of feature j.
VIGIL_HD inline void feature_tails(const Tables &t, int64_t j, float x, double &left, double &right) {
    const int64_t s = t.start[j], k = t.start[j + 1] - s;
    const float *v = t.values + s;
    const int32_t *below = t.below + s + j;
    const int64_t p = count_le(v, k, x);
    const int32_t le = below[p];                                     // #{t ≤ x}
    const int32_t lt = (p > 0 && v[p - 1] == x) ? below[p - 1] : le;  // #{t < x}
    left = t.neglog[le];
    right = t.neglog[below[k] - lt];                                 // #{t ≥ x} = N − #{t < x}
}

// Partial sums of chunk c of sample x (x[0..d)): out = {left, right, skew-corrected}.
VIGIL_HD inline void chunk_tails(const Tables &t, const float *x, int64_t c, double *out) {
    double l = 0.0, r = 0.0, s = 0.0;
    const int64_t j1 = (c + 1) * kChunk < t.d ? (c + 1) * kChunk : t.d;
    for (int64_t j = c * kChunk; j < j1; ++j) {
        double a, b;
        feature_tails(t, j, x[j], a, b);
        l += a;
        r += b;
        s += t.left_tail[j] ? a : b;
    }
    out[0] = l;
    out[1] = r;
    out[2] = s;
}

} // namespace vigil::copod
