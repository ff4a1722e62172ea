// walk_kernel.cu — the cuda variant's scoring kernel: one thread per
// (sample, tree) walks the flat tree with the very function the cpu variant
// uses (forest.hpp), so each h_t(x) is the same float on both backends.
// Consecutive threads take consecutive trees of one sample: they share the
// sample's row (cached) and write out[] coalesced.
#include "walk_kernel.cuh"

namespace vigil::iforest::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void walk_kernel(const Node *nodes, const int64_t *offsets, int64_t trees, const float *x, int64_t d,
                            int64_t m, float *out) {
    const int64_t g = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (g >= m * trees) return;
    const int64_t i = g / trees, t = g - i * trees;
    out[g] = path_length(nodes + offsets[t], x + i * d);
}

} // namespace

cudaError_t launch_walk(const Node *nodes, const int64_t *offsets, int64_t trees, const float *x, int64_t d,
                        int64_t m, float *out, cudaStream_t stream) {
    const int64_t work = m * trees;
    if (work <= 0) return cudaSuccess;
    const int64_t blocks = (work + kThreads - 1) / kThreads;
    if (blocks > 0x7fffffff) return cudaErrorInvalidValue;
    walk_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(nodes, offsets, trees, x, d, m, out);
    return cudaGetLastError();
}

} // namespace vigil::iforest::cuda
