// knn_kernels.cu — CUDA kernels of the cuda Backend's k-nearest-neighbour
// search: thin grid loops around the per-thread steps in knn_select.cuh.
//
// Deliberately simple: after cuBLAS has produced a block of dot products,
// each of mb * parts threads scans a strided share of the block's training
// columns for one query and keeps its k smallest squared distances in a
// sorted list in global memory (insertion by shifting; inserts become rare
// once the list holds near neighbours). Reads of the dot products and of the
// lists are coalesced across a warp (query index fastest). A final kernel
// merges each query's lists. The GEMM dominates the cost for the feature
// counts Vigil sees (hundreds); a warp-cooperative selection is the next step
// if profiling on an H100 says otherwise.
#include "knn_kernels.cuh"
#include "knn_select.cuh"

namespace vigil::compute::cuda {
namespace {

constexpr int kThreads = 128;

__global__ void fill_inf(float *x, int64_t count) {
    const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (i < count) x[i] = __int_as_float(0x7f800000);  // +inf
}

// grid (ceil(mb / kThreads), parts): threadIdx.x + blockIdx.x * blockDim.x is
// the query row, blockIdx.y the partition.
__global__ void scan_block_kernel(const float *dots, const float *qn, const float *tn, int64_t mb, int64_t nb, int k,
                                  int parts, float *partial) {
    const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (i < mb) scan_block(i, static_cast<int>(blockIdx.y), parts, dots, qn, tn, mb, nb, k, partial);
}

__global__ void merge_parts_kernel(const float *partial, int64_t mb, int k, int parts, float *out) {
    const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
    if (i < mb) merge_parts(i, parts, partial, mb, k, out);
}

unsigned blocks_for(int64_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

} // namespace

cudaError_t launch_fill_inf(float *x, int64_t count, cudaStream_t s) {
    if (count <= 0) return cudaSuccess;
    fill_inf<<<blocks_for(count), kThreads, 0, s>>>(x, count);
    return cudaGetLastError();
}

cudaError_t launch_scan_block(const float *dots, const float *qn, const float *tn, int64_t mb, int64_t nb, int k,
                              int parts, float *partial, cudaStream_t s) {
    if (mb <= 0 || nb <= 0) return cudaSuccess;
    if (parts < 1 || parts > kMaxParts) return cudaErrorInvalidValue;
    const dim3 grid(blocks_for(mb), static_cast<unsigned>(parts));
    scan_block_kernel<<<grid, kThreads, 0, s>>>(dots, qn, tn, mb, nb, k, parts, partial);
    return cudaGetLastError();
}

cudaError_t launch_merge_parts(const float *partial, int64_t mb, int k, int parts, float *out, cudaStream_t s) {
    if (mb <= 0) return cudaSuccess;
    if (parts < 1 || parts > kMaxParts) return cudaErrorInvalidValue;
    merge_parts_kernel<<<blocks_for(mb), kThreads, 0, s>>>(partial, mb, k, parts, out);
    return cudaGetLastError();
}

} // namespace vigil::compute::cuda
