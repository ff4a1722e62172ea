// kernels.cuh — launch wrappers of the small CUDA kernels of the cuda
// backend (kernels.cu, batchnorm_kernels.cu), callable from plain C++
// (cuda_kernels.cpp, the cudnn_*.cpp files). All take
// device pointers, run on the default stream and check the launch; float32
// data, int32 indices. Reductions give every output to one thread block whose
// summation order is fixed, so results are reproducible run to run.
#pragma once

#include <cstdint>

namespace vigil::nn::detail::cudak {

struct Broadcast {
    int rank;
    int64_t dims[8], sa[8], sb[8];
};

void fill_f32(float *y, int64_t n, float v);
void fill_i32(int32_t *y, int64_t n, int32_t v);
void cast_f32_i32(const float *x, int32_t *y, int64_t n);
void cast_i32_f32(const int32_t *x, float *y, int64_t n);
void unary(int op, const float *x, float *y, int64_t n, double a, double b);
void unary_backward(int op, const float *x, const float *y, const float *gy, float *gx, int64_t n, double a, double b);
void binary(int op, const float *a, const float *b, float *y, const Broadcast &p);
void axpby(float alpha, const float *x, float beta, float *y, int64_t n);
void maximum_backward(const float *a, const float *b, const float *gy, float *ga, float *gb, int64_t n);
void reduce_sum(const float *x, float *y, int64_t outer, int64_t n, int64_t inner);
void reduce_max(const float *x, float *y, int32_t *idx, int64_t outer, int64_t n, int64_t inner);
void reduce_max_backward(const float *gy, const int32_t *idx, float *gx, int64_t outer, int64_t n, int64_t inner);
void softmax(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, bool log);
void softmax_backward(const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner, bool log);
// bad (device int) is set to 1 when a label is outside [0, k).
void nll_forward(const float *lsm, const int32_t *labels, float *loss, int64_t rows, int64_t k, int32_t *bad);
void cross_entropy_backward(const float *lsm, const int32_t *labels, float scale, float *g, int64_t rows, int64_t k);
void gather_planes(const float *x, float *y, int64_t planes, int64_t in_plane, int64_t out_plane, const int32_t *map);
void gather_planes_backward(const float *gy, float *gx, int64_t planes, int64_t in_plane, int64_t out_plane,
                            const int32_t *off, const int32_t *idx);
void dropout_mask(float *y, int64_t n, double keep, uint64_t seed);
void adam_step(float *p, const float *g, float *m, float *v, int64_t n, float step_size, float beta1, float beta2,
               float eps, float bc2_sqrt, float wd, bool decoupled, float decay);
void sgd_step(float *p, const float *g, float *buf, int64_t n, float lr, float momentum, float dampening, float wd,
              bool nesterov, bool first);

// Batch norm helpers (batchnorm_kernels.cu) for x viewed as [n, c, s]; the
// rest of batch norm runs on cuDNN (cudnn_batchnorm.cpp).
// mean and biased variance per channel, two passes in double (reference.hpp's bn_stats).
void bn_stats(const float *x, float *mean, float *var, int64_t n, int64_t c, int64_t s);
// inv_std[ch] = 1 / sqrt(var[ch] + eps), what cuDNN calls the saved inverse variance.
void bn_inv_std(const float *var, double eps, float *inv_std, int64_t c);
// Backward with mean/var held constant (evaluation mode): gx = gy·γ/√(var+ε);
// ggamma = Σ gy·x̂, gbeta = Σ gy (each only when not null). gamma may be null (γ = 1).
void bn_backward_global(const float *x, const float *gy, const float *gamma, const float *mean, const float *var,
                        double eps, float *gx, float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s);

} // namespace vigil::nn::detail::cudak
