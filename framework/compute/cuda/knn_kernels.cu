// knn_kernels.cu — CUDA kernels of the cuda Backend's k-nearest-neighbour search.
//
// Deliberately simple: one thread per query row keeps its k smallest squared
// distances sorted in global memory and inserts each new candidate by shifting
// (k ≤ kMaxK). The GEMM that produces the dot products (cuBLAS) dominates the
// cost; a warp-cooperative selection is the known next step if profiling on a
// GPU says otherwise.
#include "knn_kernels.cuh"

namespace vigil::compute::cuda {
namespace {

__global__ void topk_init(float *topk, int64_t total) {
    const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (i < total) topk[i] = __int_as_float(0x7f800000);  // +inf
}

__global__ void topk_merge(const float *dots, const float *qn, const float *tn, int64_t m, int64_t nb, int k, float *topk) {
    const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (i >= m) return;
    float *best = topk + i * k;
    const float q = qn[i];
    float worst = best[k - 1];
    for (int64_t j = 0; j < nb; ++j) {
        const float d2 = fmaxf(0.0f, q + tn[j] - 2.0f * dots[i * nb + j]);
        if (!(d2 < worst)) continue;
        int p = k - 1;
        while (p > 0 && best[p - 1] > d2) {
            best[p] = best[p - 1];
            --p;
        }
        best[p] = d2;
        worst = best[k - 1];
    }
}

} // namespace

cudaError_t launch_topk_init(float *topk, int64_t m, int k, cudaStream_t s) {
    const int64_t total = m * k;
    const int threads = 256;
    topk_init<<<static_cast<unsigned>((total + threads - 1) / threads), threads, 0, s>>>(topk, total);
    return cudaGetLastError();
}

cudaError_t launch_topk_merge(const float *dots, const float *qn, const float *tn, int64_t m, int64_t nb, int k,
                              float *topk, cudaStream_t s) {
    const int threads = 128;
    topk_merge<<<static_cast<unsigned>((m + threads - 1) / threads), threads, 0, s>>>(dots, qn, tn, m, nb, k, topk);
    return cudaGetLastError();
}

} // namespace vigil::compute::cuda
