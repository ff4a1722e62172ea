// knn_kernels.cuh — launch wrappers for the CUDA kernels of the cuda Backend,
// callable from plain C++ (cublas_backend.cpp) without CUDA syntax. Each
// returns the launch's status (cudaGetLastError); execution errors surface at
// the next synchronising call, which the caller checks too.
// Layouts and the algorithm: knn_select.cuh.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>

namespace vigil::compute::cuda {

// Fill x[0..count) with +inf.
cudaError_t launch_fill_inf(float *x, int64_t count, cudaStream_t s);

// Fold one distance block into the partial lists: mb * parts threads, thread
// (i, p) runs scan_block (knn_select.cuh). dots is mb x nb column-major
// (dots[j*mb + i] = q_i · t_j), qn the mb query norms, tn the nb training norms.
cudaError_t launch_scan_block(const float *dots, const float *qn, const float *tn, int64_t mb, int64_t nb, int k,
                              int parts, float *partial, cudaStream_t s);

// Merge each query's `parts` lists into out (mb x k row-major, ascending).
cudaError_t launch_merge_parts(const float *partial, int64_t mb, int k, int parts, float *out, cudaStream_t s);

} // namespace vigil::compute::cuda
