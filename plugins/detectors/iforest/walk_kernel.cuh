// walk_kernel.cuh — launch wrapper of the cuda variant's tree-walk kernel,
// callable from plain C++ (score_cuda.cpp) without CUDA syntax.
//
// Why this file exists: the kernel (walk_kernel.cu) is compiled by nvcc, the
// device-memory bookkeeping around it (score_cuda.cpp) by the C++ compiler
// like the rest of the plugin; this is the seam between the two.
#pragma once

#include "forest.hpp"

#include <cuda_runtime.h>

#include <cstdint>

namespace vigil::iforest::cuda {

// out[i * trees + t] = path_length(nodes + offsets[t], x + i * d) for the m
// rows of x (device memory, m × d row-major) and every tree t: one thread per
// (sample, tree). Returns the launch status (execution errors surface at the
// caller's next synchronising call).
cudaError_t launch_walk(const Node *nodes, const int64_t *offsets, int64_t trees, const float *x, int64_t d,
                        int64_t m, float *out, cudaStream_t stream);

} // namespace vigil::iforest::cuda
