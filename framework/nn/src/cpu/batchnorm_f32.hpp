// batchnorm_f32.hpp — the cpu backend's float32 batch norm (batchnorm_f32.cpp
// says why it is not oneDNN's). x, y, gy, gx: [n, c, s] contiguous; mean,
// var, gamma, beta, ggamma, gbeta: [c]; gamma/beta/ggamma/gbeta may be null.
// var is the biased batch variance; eps as in the op.
#pragma once

#include <cstdint>

namespace vigil::nn::detail::fast {

void bn_forward_train(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *var, int64_t n,
                      int64_t c, int64_t s, double eps);
void bn_forward_eval(const float *x, const float *gamma, const float *beta, const float *mean, const float *var, float *y,
                     int64_t n, int64_t c, int64_t s, double eps);
void bn_backward(const float *x, const float *gy, const float *gamma, const float *mean, const float *var, float *gx,
                 float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s, double eps, bool global_stats);

} // namespace vigil::nn::detail::fast
