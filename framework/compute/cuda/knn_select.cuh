// knn_select.cuh — the per-thread steps of the cuda backend's k-nearest
// selection, written once as __host__ __device__ functions.
//
// Why this file exists: the kernels in knn_kernels.cu are thin loops around
// these functions, and the CPU test suite (tests/detectors/cuda_select_test.cpp)
// runs the very same functions by emulating the grid, so the indexing and the
// merge are tested on machines without a GPU. Plain C++ when not compiled by
// nvcc; no CUDA headers needed.
//
// Layouts (mb query rows in this block, nb training rows in this block):
//   dots[j * mb + i]                q_i · t_j   (query index fastest: a warp
//                                    of consecutive i reads one coalesced line)
//   partial[(p * k + s) * mb + i]   entry s of the ascending k-list kept by
//                                    partition p for query i (coalesced too)
//   out[i * k + s]                  the final k smallest, ascending, row-major
// Partition p of `parts` scans the training columns j ≡ p (mod parts), so the
// mb * parts threads of a block all work, and each keeps its own list.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define VIGIL_HD __host__ __device__
#else
#define VIGIL_HD
#endif

namespace vigil::compute::cuda {

// Most partitions per query row (bounds the merge's local head array).
constexpr int kMaxParts = 32;

// Insert v into the ascending list list[0], list[stride], ..., list[(k-1)*stride],
// dropping the largest entry; the caller checked v < last. Returns the new last.
VIGIL_HD inline float insert_sorted(float *list, int64_t stride, int k, float v) {
    int p = k - 1;
    while (p > 0 && list[(p - 1) * stride] > v) {
        list[p * stride] = list[(p - 1) * stride];
        --p;
    }
    list[p * stride] = v;
    return list[(k - 1) * stride];
}

// Thread (i, p): fold one distance block into partition p's list for query i.
// d²(i, j) = qn[i] + tn[j] − 2 dots[j*mb + i], clamped at 0 (rounding can make
// it slightly negative for a query equal to a training row).
VIGIL_HD inline void scan_block(int64_t i, int p, int parts, const float *dots, const float *qn, const float *tn,
                                int64_t mb, int64_t nb, int k, float *partial) {
    float *list = partial + int64_t(p) * k * mb + i;  // stride mb
    float worst = list[int64_t(k - 1) * mb];
    const float q = qn[i];
    for (int64_t j = p; j < nb; j += parts) {
        float d2 = q + tn[j] - 2.0f * dots[j * mb + i];
        d2 = d2 > 0.0f ? d2 : 0.0f;
        if (d2 < worst) worst = insert_sorted(list, mb, k, d2);
    }
}

// Thread i: merge the `parts` ascending lists of query i into its k smallest,
// ascending, at out[i*k ...]. Unfilled list entries are +inf and sort last;
// there are always at least k finite candidates (k <= training rows).
VIGIL_HD inline void merge_parts(int64_t i, int parts, const float *partial, int64_t mb, int k, float *out) {
    int head[kMaxParts];
    for (int p = 0; p < parts; ++p) head[p] = 0;
    for (int s = 0; s < k; ++s) {
        int best = -1;
        float bv = 0.0f;
        for (int p = 0; p < parts; ++p) {
            if (head[p] >= k) continue;
            const float v = partial[(int64_t(p) * k + head[p]) * mb + i];
            if (best < 0 || v < bv) {
                best = p;
                bv = v;
            }
        }
        out[i * k + s] = bv;
        ++head[best];
    }
}

// How many partitions per query row for a block of mb queries: enough threads
// to fill an H100 (~64k), at most kMaxParts, and parts * k <= 4096 so the
// partial lists of a block stay within 4096 * mb floats.
inline int choose_parts(int64_t mb, int k) {
    int64_t parts = (int64_t(1) << 16) / (mb > 0 ? mb : 1);
    if (parts > kMaxParts) parts = kMaxParts;
    if (parts * k > 4096) parts = 4096 / k;
    return parts < 1 ? 1 : static_cast<int>(parts);
}

} // namespace vigil::compute::cuda
