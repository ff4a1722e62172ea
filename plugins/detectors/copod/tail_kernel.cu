// tail_kernel.cu — the cuda variant's scoring kernel: one thread per
// (sample, chunk of 64 features) runs the binary searches and adds the
// chunk's tail terms with the very function the cpu variant uses
// (ecdf.hpp: chunk_tails). The host adds the chunk partials in order.
// Consecutive threads take consecutive chunks of one sample, so they read
// neighbouring parts of the sample's row and write out[] coalesced.
#include "tail_kernel.cuh"

namespace vigil::copod::cuda {
namespace {

constexpr int kThreads = 128;

__global__ void chunk_tails_kernel(Tables t, const float *x, int64_t m, int64_t chunks, double *out) {
    const int64_t g = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (g >= m * chunks) return;
    const int64_t i = g / chunks, c = g - i * chunks;
    chunk_tails(t, x + i * t.d, c, out + g * 3);
}

} // namespace

cudaError_t launch_chunk_tails(const Tables &t, const float *x, int64_t m, double *out, cudaStream_t stream) {
    const int64_t chunks = chunk_count(t.d), work = m * chunks;
    if (work <= 0) return cudaSuccess;
    const int64_t blocks = (work + kThreads - 1) / kThreads;
    if (blocks > 0x7fffffff) return cudaErrorInvalidValue;
    chunk_tails_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(t, x, m, chunks, out);
    return cudaGetLastError();
}

} // namespace vigil::copod::cuda
