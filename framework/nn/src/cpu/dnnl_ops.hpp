// dnnl_ops.hpp — the f32 cpu kernels that run on oneDNN 2.6 primitives.
//
// One cpu engine per process; one stream per thread. Primitives (with their
// descriptors and the reorders around them) are cached by shape and
// parameters, so a training loop builds each primitive once. Activations
// stay plain NCHW between ops (one layout for every kernel, see tensor.hpp);
// a convolution runs in the blocked layout of oneDNN's choosing, with
// reorders around it (see conv_layout_any below). Batch norm is not here:
// batchnorm_f32.cpp says why.
// Errors of oneDNN become vigil::sdk::Error with oneDNN's message.
#pragma once

#include "../backend.hpp"

#include <cstdint>
#include <memory>

namespace vigil::nn::detail::dnnl_ops {

// Elementwise ops oneDNN has an algorithm for (relu, leaky relu, sigmoid,
// tanh, exp, log); false means "not handled, use the reference loop".
bool eltwise_forward(Unary op, const float *x, float *y, int64_t n, double a, double b);
bool eltwise_backward(Unary op, const float *x, const float *y, const float *gy, float *gx, int64_t n, double a, double b);

// Row-major GEMM (dnnl_sgemm).
void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b, float beta,
           float *c);

void conv_forward(const float *x, const float *w, const float *bias, float *y, const ConvGeom &g);
void conv_backward_data(const float *gy, const float *w, float *gx, const ConvGeom &g);
void conv_backward_weights(const float *x, const float *gy, float *gw, float *gb, const ConvGeom &g);

// Returns the workspace max pooling needs for backward (null for avg).
std::shared_ptr<void> pool_forward(PoolKind k, const float *x, float *y, const PoolGeom &g);
void pool_backward(PoolKind k, const float *gy, const std::shared_ptr<void> &ws, float *gx, const PoolGeom &g);

// Convolution layout policy: true (default) lets oneDNN choose the layout of
// src, weights and dst (blocked nChw16c etc.) with reorders to and from NCHW
// around the primitive; false (VIGIL_NN_CONV_LAYOUT=plain) keeps src/dst in
// plain NCHW (oneDNN's gemm-based convolution) and lets it choose only the
// weights' layout. Measured on this project's loads (2-core AVX-512 EPYC,
// bench/nn): blocked is faster on all three convolutional ones — Deep SVDD
// LeNet 0.37 vs 0.61 s/epoch, its autoencoder 1.91 vs 2.69 s/epoch (one
// thread), WRN-10-4 9.3 vs 11.0 s/epoch — because oneDNN's direct kernels
// beat im2col + GEMM by more than the reorders cost. Read once.
bool conv_layout_any();

} // namespace vigil::nn::detail::dnnl_ops
