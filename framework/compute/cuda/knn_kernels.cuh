// knn_kernels.cuh — launch wrappers for the CUDA kernels of the cuda Backend,
// callable from plain C++ (cublas_backend.cpp) without CUDA syntax.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>

namespace vigil::compute::cuda {

// Maximum k supported by the per-thread insertion kernel.
constexpr int kMaxK = 1024;

// Fill topk (m x k) with +inf.
cudaError_t launch_topk_init(float *topk, int64_t m, int k, cudaStream_t s);

// For each query row i < m: merge the squared distances of one block of
// training rows into topk[i*k .. i*k+k) (ascending):
//   d2(i, j) = qn[i] + tn[j] − 2 dots[i*nb + j], clamped at 0.
cudaError_t launch_topk_merge(const float *dots, const float *qn, const float *tn, int64_t m, int64_t nb, int k,
                              float *topk, cudaStream_t s);

} // namespace vigil::compute::cuda
