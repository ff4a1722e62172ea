// launch.cuh — what every .cu file of the cuda backend launches with: the
// block size, grid sizing, the grid-stride loop, launch error checks and the
// fixed-order block reduction (deterministic sums, run after run).
// Internal to framework/nn/src/cuda (included by .cu files only).
#pragma once

#include <vigil/cpp/plugin.hpp>

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

namespace vigil::nn::detail::cudak {

constexpr int kThreads = 256;  // threads per block; a power of two (block_sum halves it)

inline void check_launch(const char *what) {
    const cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) sdk::fail(VIGIL_ERR_INTERNAL, std::string("CUDA kernel ") + what + ": " + cudaGetErrorString(e));
}

// Blocks for n independent elements with a grid-stride loop (capped: the loop covers the rest).
inline unsigned blocks_for(int64_t n) {
    const int64_t b = (n + kThreads - 1) / kThreads;
    return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 16 ? 65535 * 16 : b));
}

#define VIGIL_GRID_LOOP(i, n) \
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < (n); i += int64_t(gridDim.x) * blockDim.x)

// Sum of every thread's v over a block of kThreads threads, added in a fixed
// tree (so the result does not depend on scheduling). `part` is a
// __shared__ double[kThreads]; it may be reused right after the call.
__device__ inline double block_sum(double v, double *part) {
    part[threadIdx.x] = v;
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w /= 2) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    const double r = part[0];
    __syncthreads();
    return r;
}

} // namespace vigil::nn::detail::cudak
