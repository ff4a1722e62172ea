// cudnn_ops.hpp — the cuda backend's convolution, batch norm and pooling
// kernels, on cuDNN 9's legacy API (cudnn_conv.cpp, cudnn_batchnorm.cpp,
// cudnn_pool.cpp). cuda_kernels.cpp forwards the matching Kernels methods
// here; arguments and results mean exactly what backend.hpp says, and the
// results match the cpu backend (cpu/reference.hpp is the definition) to
// float rounding. Device pointers, float32, dense NCHW; everything is queued
// on the default stream.
#pragma once

#include "../backend.hpp"

#include <cstdint>
#include <memory>

namespace vigil::nn::detail::cudnn_ops {

void conv_forward(const float *x, const float *w, const float *bias, float *y, const ConvGeom &g);
void conv_backward_data(const float *gy, const float *w, float *gx, const ConvGeom &g);
void conv_backward_weights(const float *x, const float *gy, float *gw, float *gb, const ConvGeom &g);

// x viewed as [n, c, s]; gamma/beta (and ggamma/gbeta) may be null.
void bn_forward_train(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *var,
                      int64_t n, int64_t c, int64_t s, double eps);
void bn_forward_eval(const float *x, const float *gamma, const float *beta, const float *mean, const float *var,
                     float *y, int64_t n, int64_t c, int64_t s, double eps);
void bn_backward(const float *x, const float *gy, const float *gamma, const float *mean, const float *var, float *gx,
                 float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s, double eps, bool global_stats);

// The returned workspace keeps what pool_backward needs (x and y: cuDNN's
// pooling backward recomputes the window maxima from them).
std::shared_ptr<void> pool_forward(PoolKind k, const Tensor &x, Tensor &y, const PoolGeom &g);
void pool_backward(PoolKind k, const Tensor &gy, const std::shared_ptr<void> &workspace, Tensor &gx,
                   const PoolGeom &g);

} // namespace vigil::nn::detail::cudnn_ops
