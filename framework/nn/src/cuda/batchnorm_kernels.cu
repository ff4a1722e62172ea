// batchnorm_kernels.cu — the pieces of batch norm that do not go through
// cuDNN (cudnn_batchnorm.cpp explains the split): the batch statistics,
// computed as the cpu reference computes them (two passes in double, biased
// variance), the inverse standard deviation cuDNN's backward takes, and the
// backward pass with constant statistics (evaluation mode), which cuDNN's
// legacy API has no call for. Per-channel sums use one block per channel
// with a fixed reduction order, so results repeat run to run.
#include "kernels.cuh"
#include "launch.cuh"

#include <vigil/cpp/plugin.hpp>

#include <cuda_runtime.h>

#include <string>

namespace vigil::nn::detail::cudak {

namespace {

unsigned channel_blocks(int64_t c, const char *what) {
    if (c > 0x7fffffffLL) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, std::string("CUDA ") + what + ": too many channels");
    return static_cast<unsigned>(c);
}

// Offset of the j-th value (j < n·s) of channel ch of x [n, c, s].
__device__ int64_t at(int64_t j, int64_t ch, int64_t c, int64_t s) {
    const int64_t i = j / s;
    return (i * c + ch) * s + (j - i * s);
}

__global__ void stats_k(const float *x, float *mean, float *var, int64_t n, int64_t c, int64_t s) {
    __shared__ double part[kThreads];
    const int64_t ch = blockIdx.x, m = n * s;
    double sum = 0;
    for (int64_t j = threadIdx.x; j < m; j += kThreads) sum += x[at(j, ch, c, s)];
    const double mu = block_sum(sum, part) / double(m);
    double sq = 0;
    for (int64_t j = threadIdx.x; j < m; j += kThreads) {
        const double d = double(x[at(j, ch, c, s)]) - mu;
        sq += d * d;
    }
    const double v = block_sum(sq, part) / double(m);
    if (threadIdx.x == 0) {
        mean[ch] = static_cast<float>(mu);
        var[ch] = static_cast<float>(v);
    }
}

__global__ void inv_std_k(const float *var, double eps, float *inv_std, int64_t c) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < c; i += int64_t(gridDim.x) * blockDim.x)
        inv_std[i] = static_cast<float>(1.0 / sqrt(double(var[i]) + eps));
}

__global__ void grad_sums_k(const float *x, const float *gy, const float *mean, const float *var, double eps,
                            float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s) {
    __shared__ double part[kThreads];
    const int64_t ch = blockIdx.x, m = n * s;
    const double mu = mean[ch], rstd = 1.0 / sqrt(double(var[ch]) + eps);
    double sg = 0, sgx = 0;  // Σ gy, Σ gy·x̂
    for (int64_t j = threadIdx.x; j < m; j += kThreads) {
        const int64_t k = at(j, ch, c, s);
        sg += gy[k];
        sgx += double(gy[k]) * (double(x[k]) - mu) * rstd;
    }
    sg = block_sum(sg, part);
    sgx = block_sum(sgx, part);
    if (threadIdx.x == 0) {
        if (ggamma) ggamma[ch] = static_cast<float>(sgx);
        if (gbeta) gbeta[ch] = static_cast<float>(sg);
    }
}

__global__ void scale_k(const float *gy, const float *gamma, const float *var, double eps, float *gx, int64_t total,
                        int64_t c, int64_t s) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t ch = (i / s) % c;
        const double ga = gamma ? double(gamma[ch]) : 1.0;
        gx[i] = static_cast<float>(double(gy[i]) * ga * (1.0 / sqrt(double(var[ch]) + eps)));
    }
}

} // namespace

void bn_stats(const float *x, float *mean, float *var, int64_t n, int64_t c, int64_t s) {
    if (c <= 0) return;
    stats_k<<<channel_blocks(c, "batch norm statistics"), kThreads>>>(x, mean, var, n, c, s);
    check_launch("batch norm statistics");
}

void bn_inv_std(const float *var, double eps, float *inv_std, int64_t c) {
    if (c <= 0) return;
    inv_std_k<<<blocks_for(c), kThreads>>>(var, eps, inv_std, c);
    check_launch("batch norm inverse std");
}

void bn_backward_global(const float *x, const float *gy, const float *gamma, const float *mean, const float *var,
                        double eps, float *gx, float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s) {
    if (c <= 0) return;
    if (ggamma || gbeta) {
        grad_sums_k<<<channel_blocks(c, "batch norm backward"), kThreads>>>(x, gy, mean, var, eps, ggamma, gbeta, n, c, s);
        check_launch("batch norm backward sums");
    }
    const int64_t total = n * c * s;
    if (total <= 0) return;
    scale_k<<<blocks_for(total), kThreads>>>(gy, gamma, var, eps, gx, total, c, s);
    check_launch("batch norm backward");
}

} // namespace vigil::nn::detail::cudak
