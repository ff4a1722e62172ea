// tail_kernel.cuh — launch wrapper of the cuda variant's COPOD kernel,
// callable from plain C++ (score_cuda.cpp) without CUDA syntax.
//
// Why this file exists: the kernel (tail_kernel.cu) is compiled by nvcc, the
// device-memory bookkeeping around it (score_cuda.cpp) by the C++ compiler;
// this is the seam between the two.
#pragma once

#include "ecdf.hpp"

#include <cuda_runtime.h>

#include <cstdint>

namespace vigil::copod::cuda {

// For the m rows of x (device memory, m × t.d row-major) and every chunk c
// of kChunk features: chunk_tails(t, x_i, c) into out[(i * chunks + c) * 3 ..],
// chunks = chunk_count(t.d); t's arrays are device memory. One thread per
// (sample, chunk). Returns the launch status.
cudaError_t launch_chunk_tails(const Tables &t, const float *x, int64_t m, double *out, cudaStream_t stream);

} // namespace vigil::copod::cuda
