// kernels.cu — the small CUDA kernels of the cuda backend (kernels.cuh).
#include "kernels.cuh"
#include "launch.cuh"

#include "../backend.hpp"

#include <vigil/cpp/plugin.hpp>

#include <cuda_runtime.h>

#include <string>

namespace vigil::nn::detail::cudak {

namespace {


template <class T> __global__ void fill_k(T *y, int64_t n, T v) {
    VIGIL_GRID_LOOP(i, n) y[i] = v;
}
template <class S, class D> __global__ void cast_k(const S *x, D *y, int64_t n) {
    VIGIL_GRID_LOOP(i, n) y[i] = static_cast<D>(x[i]);
}

__device__ float unary_f(int op, float x, double a, double b) {
    switch (static_cast<Unary>(op)) {
    case Unary::relu: return x > 0.f ? x : 0.f;
    case Unary::leaky_relu: return x > 0.f ? x : float(a) * x;
    case Unary::sigmoid: return 1.f / (1.f + expf(-x));
    case Unary::tanh: return tanhf(x);
    case Unary::softplus: {
        const float bx = float(a) * x;
        return bx > float(b) ? x : log1pf(expf(bx)) / float(a);
    }
    case Unary::exp: return expf(x);
    case Unary::log: return logf(x);
    case Unary::square: return x * x;
    case Unary::sqrt: return sqrtf(x);
    case Unary::abs: return fabsf(x);
    case Unary::pow: return powf(x, float(a));
    case Unary::affine: return float(a) * x + float(b);
    }
    return x;
}
__device__ float unary_grad(int op, float x, float y, double a, double b) {
    switch (static_cast<Unary>(op)) {
    case Unary::relu: return x > 0.f ? 1.f : 0.f;
    case Unary::leaky_relu: return x > 0.f ? 1.f : float(a);
    case Unary::sigmoid: return y * (1.f - y);
    case Unary::tanh: return 1.f - y * y;
    case Unary::softplus: {
        const float bx = float(a) * x;
        return bx > float(b) ? 1.f : 1.f / (1.f + expf(-bx));
    }
    case Unary::exp: return y;
    case Unary::log: return 1.f / x;
    case Unary::square: return 2.f * x;
    case Unary::sqrt: return 0.5f / y;
    case Unary::abs: return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
    case Unary::pow: return float(a) * powf(x, float(a) - 1.f);
    case Unary::affine: return float(a);
    }
    return 0.f;
}
__global__ void unary_k(int op, const float *x, float *y, int64_t n, double a, double b) {
    VIGIL_GRID_LOOP(i, n) y[i] = unary_f(op, x[i], a, b);
}
__global__ void unary_bwd_k(int op, const float *x, const float *y, const float *gy, float *gx, int64_t n, double a,
                            double b) {
    VIGIL_GRID_LOOP(i, n) gx[i] = gy[i] * unary_grad(op, x[i], y[i], a, b);
}

__device__ float binary_f(int op, float a, float b) {
    switch (static_cast<Binary>(op)) {
    case Binary::add: return a + b;
    case Binary::sub: return a - b;
    case Binary::mul: return a * b;
    case Binary::div: return a / b;
    case Binary::maximum: return a >= b ? a : b;
    }
    return a;
}
__global__ void binary_k(int op, const float *a, const float *b, float *y, Broadcast p, int64_t n) {
    VIGIL_GRID_LOOP(i, n) {
        int64_t rem = i, oa = 0, ob = 0;
        for (int d = p.rank - 1; d >= 0; --d) {
            const int64_t k = rem % p.dims[d];
            rem /= p.dims[d];
            oa += k * p.sa[d];
            ob += k * p.sb[d];
        }
        y[i] = binary_f(op, a[oa], b[ob]);
    }
}
__global__ void axpby_k(float alpha, const float *x, float beta, float *y, int64_t n) {
    VIGIL_GRID_LOOP(i, n) y[i] = alpha * x[i] + beta * y[i];
}
__global__ void maximum_bwd_k(const float *a, const float *b, const float *gy, float *ga, float *gb, int64_t n) {
    VIGIL_GRID_LOOP(i, n) {
        const bool first = a[i] >= b[i];
        if (ga) ga[i] = first ? gy[i] : 0.f;
        if (gb) gb[i] = first ? 0.f : gy[i];
    }
}

// One block per output (o, i): strided partial sums, then a fixed tree.
__global__ void reduce_sum_k(const float *x, float *y, int64_t n, int64_t inner) {
    __shared__ double part[kThreads];
    const int64_t out = blockIdx.x;
    const int64_t o = out / inner, in = out % inner;
    const float *base = x + o * n * inner + in;
    double s = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) s += base[j * inner];
    s = block_sum(s, part);
    if (threadIdx.x == 0) y[out] = static_cast<float>(s);
}
__global__ void reduce_max_k(const float *x, float *y, int32_t *idx, int64_t outer, int64_t n, int64_t inner) {
    VIGIL_GRID_LOOP(oi, outer * inner) {
        const int64_t o = oi / inner, in = oi % inner;
        const float *p = x + o * n * inner + in;
        float best = p[0];
        int32_t bi = 0;
        for (int64_t j = 1; j < n; ++j) {
            const float v = p[j * inner];
            if (v > best || (isnan(v) && !isnan(best))) {
                best = v;
                bi = static_cast<int32_t>(j);
            }
        }
        y[oi] = best;
        idx[oi] = bi;
    }
}
__global__ void reduce_max_bwd_k(const float *gy, const int32_t *idx, float *gx, int64_t outer, int64_t n, int64_t inner) {
    VIGIL_GRID_LOOP(i, outer * n * inner) {
        const int64_t in = i % inner, j = (i / inner) % n, o = i / (inner * n);
        gx[i] = idx[o * inner + in] == j ? gy[o * inner + in] : 0.f;
    }
}
__global__ void softmax_k(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, bool log) {
    VIGIL_GRID_LOOP(oi, outer * inner) {
        const int64_t o = oi / inner, in = oi % inner, base = o * n * inner + in;
        float mx = x[base];
        for (int64_t j = 1; j < n; ++j) mx = fmaxf(mx, x[base + j * inner]);
        double s = 0;
        for (int64_t j = 0; j < n; ++j) s += exp(double(x[base + j * inner] - mx));
        if (log) {
            const double ls = ::log(s);
            for (int64_t j = 0; j < n; ++j) y[base + j * inner] = static_cast<float>(double(x[base + j * inner] - mx) - ls);
        } else {
            for (int64_t j = 0; j < n; ++j) y[base + j * inner] = static_cast<float>(exp(double(x[base + j * inner] - mx)) / s);
        }
    }
}
__global__ void softmax_bwd_k(const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner, bool log) {
    VIGIL_GRID_LOOP(oi, outer * inner) {
        const int64_t o = oi / inner, in = oi % inner, base = o * n * inner + in;
        double s = 0;
        if (log) {
            for (int64_t j = 0; j < n; ++j) s += gy[base + j * inner];
            for (int64_t j = 0; j < n; ++j)
                gx[base + j * inner] = static_cast<float>(double(gy[base + j * inner]) - exp(double(y[base + j * inner])) * s);
        } else {
            for (int64_t j = 0; j < n; ++j) s += double(gy[base + j * inner]) * y[base + j * inner];
            for (int64_t j = 0; j < n; ++j)
                gx[base + j * inner] = static_cast<float>(double(y[base + j * inner]) * (double(gy[base + j * inner]) - s));
        }
    }
}
__global__ void nll_k(const float *lsm, const int32_t *labels, float *loss, int64_t rows, int64_t k, int32_t *bad) {
    VIGIL_GRID_LOOP(i, rows) {
        const int32_t c = labels[i];
        if (c < 0 || c >= k) {
            *bad = 1;
            loss[i] = 0.f;
        } else {
            loss[i] = -lsm[i * k + c];
        }
    }
}
__global__ void ce_bwd_k(const float *lsm, const int32_t *labels, float scale, float *g, int64_t rows, int64_t k) {
    VIGIL_GRID_LOOP(i, rows * k) {
        const int64_t r = i / k, j = i % k;
        g[i] = (expf(lsm[i]) - (labels[r] == j ? 1.f : 0.f)) * scale;
    }
}
__global__ void gather_k(const float *x, float *y, int64_t planes, int64_t in_plane, int64_t out_plane, const int32_t *map) {
    VIGIL_GRID_LOOP(i, planes * out_plane) {
        const int64_t p = i / out_plane, j = i % out_plane;
        const int32_t s = map[j];
        y[i] = s >= 0 ? x[p * in_plane + s] : 0.f;
    }
}
__global__ void gather_bwd_k(const float *gy, float *gx, int64_t planes, int64_t in_plane, int64_t out_plane,
                             const int32_t *off, const int32_t *idx) {
    VIGIL_GRID_LOOP(i, planes * in_plane) {
        const int64_t p = i / in_plane, k = i % in_plane;
        float s = 0.f;
        for (int32_t e = off[k]; e < off[k + 1]; ++e) s += gy[p * out_plane + idx[e]];
        gx[i] = s;
    }
}
__global__ void dropout_k(float *y, int64_t n, double keep, uint64_t seed) {
    const float scale = static_cast<float>(1.0 / keep);
    VIGIL_GRID_LOOP(i, n) y[i] = hash_uniform(seed, static_cast<uint64_t>(i)) < keep ? scale : 0.f;
}
__global__ void adam_k(float *p, const float *g, float *m, float *v, int64_t n, float step_size, float b1, float b2,
                       float eps, float bc2_sqrt, float wd, bool decoupled, float decay) {
    VIGIL_GRID_LOOP(i, n) {
        float gi = g[i];
        if (decoupled)
            p[i] *= decay;
        else if (wd != 0.f)
            gi += wd * p[i];
        m[i] = b1 * m[i] + (1.f - b1) * gi;
        v[i] = b2 * v[i] + (1.f - b2) * gi * gi;
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / bc2_sqrt + eps);
    }
}
__global__ void sgd_k(float *p, const float *g, float *buf, int64_t n, float lr, float mu, float damp, float wd,
                      bool nesterov, bool first) {
    VIGIL_GRID_LOOP(i, n) {
        float gi = g[i] + wd * p[i];
        if (buf) {
            buf[i] = first ? gi : mu * buf[i] + (1.f - damp) * gi;
            gi = nesterov ? gi + mu * buf[i] : buf[i];
        }
        p[i] -= lr * gi;
    }
}

} // namespace

void fill_f32(float *y, int64_t n, float v) {
    if (n <= 0) return;
    fill_k<<<blocks_for(n), kThreads>>>(y, n, v);
    check_launch("fill");
}
void fill_i32(int32_t *y, int64_t n, int32_t v) {
    if (n <= 0) return;
    fill_k<<<blocks_for(n), kThreads>>>(y, n, v);
    check_launch("fill");
}
void cast_f32_i32(const float *x, int32_t *y, int64_t n) {
    if (n <= 0) return;
    cast_k<<<blocks_for(n), kThreads>>>(x, y, n);
    check_launch("cast");
}
void cast_i32_f32(const int32_t *x, float *y, int64_t n) {
    if (n <= 0) return;
    cast_k<<<blocks_for(n), kThreads>>>(x, y, n);
    check_launch("cast");
}
void unary(int op, const float *x, float *y, int64_t n, double a, double b) {
    if (n <= 0) return;
    unary_k<<<blocks_for(n), kThreads>>>(op, x, y, n, a, b);
    check_launch("unary");
}
void unary_backward(int op, const float *x, const float *y, const float *gy, float *gx, int64_t n, double a, double b) {
    if (n <= 0) return;
    unary_bwd_k<<<blocks_for(n), kThreads>>>(op, x, y, gy, gx, n, a, b);
    check_launch("unary backward");
}
void binary(int op, const float *a, const float *b, float *y, const Broadcast &p) {
    int64_t n = 1;
    for (int d = 0; d < p.rank; ++d) n *= p.dims[d];
    if (n <= 0) return;
    binary_k<<<blocks_for(n), kThreads>>>(op, a, b, y, p, n);
    check_launch("binary");
}
void axpby(float alpha, const float *x, float beta, float *y, int64_t n) {
    if (n <= 0) return;
    axpby_k<<<blocks_for(n), kThreads>>>(alpha, x, beta, y, n);
    check_launch("axpby");
}
void maximum_backward(const float *a, const float *b, const float *gy, float *ga, float *gb, int64_t n) {
    if (n <= 0) return;
    maximum_bwd_k<<<blocks_for(n), kThreads>>>(a, b, gy, ga, gb, n);
    check_launch("maximum backward");
}
void reduce_sum(const float *x, float *y, int64_t outer, int64_t n, int64_t inner) {
    const int64_t outs = outer * inner;
    if (outs <= 0) return;
    if (outs > 0x7fffffffLL) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "CUDA reduce_sum: too many outputs");
    reduce_sum_k<<<static_cast<unsigned>(outs), kThreads>>>(x, y, n, inner);
    check_launch("reduce_sum");
}
void reduce_max(const float *x, float *y, int32_t *idx, int64_t outer, int64_t n, int64_t inner) {
    if (outer * inner <= 0) return;
    reduce_max_k<<<blocks_for(outer * inner), kThreads>>>(x, y, idx, outer, n, inner);
    check_launch("reduce_max");
}
void reduce_max_backward(const float *gy, const int32_t *idx, float *gx, int64_t outer, int64_t n, int64_t inner) {
    if (outer * n * inner <= 0) return;
    reduce_max_bwd_k<<<blocks_for(outer * n * inner), kThreads>>>(gy, idx, gx, outer, n, inner);
    check_launch("reduce_max backward");
}
void softmax(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, bool log) {
    if (outer * inner <= 0) return;
    softmax_k<<<blocks_for(outer * inner), kThreads>>>(x, y, outer, n, inner, log);
    check_launch("softmax");
}
void softmax_backward(const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner, bool log) {
    if (outer * inner <= 0) return;
    softmax_bwd_k<<<blocks_for(outer * inner), kThreads>>>(y, gy, gx, outer, n, inner, log);
    check_launch("softmax backward");
}
void nll_forward(const float *lsm, const int32_t *labels, float *loss, int64_t rows, int64_t k, int32_t *bad) {
    if (rows <= 0) return;
    nll_k<<<blocks_for(rows), kThreads>>>(lsm, labels, loss, rows, k, bad);
    check_launch("nll");
}
void cross_entropy_backward(const float *lsm, const int32_t *labels, float scale, float *g, int64_t rows, int64_t k) {
    if (rows * k <= 0) return;
    ce_bwd_k<<<blocks_for(rows * k), kThreads>>>(lsm, labels, scale, g, rows, k);
    check_launch("cross_entropy backward");
}
void gather_planes(const float *x, float *y, int64_t planes, int64_t in_plane, int64_t out_plane, const int32_t *map) {
    if (planes * out_plane <= 0) return;
    gather_k<<<blocks_for(planes * out_plane), kThreads>>>(x, y, planes, in_plane, out_plane, map);
    check_launch("gather");
}
void gather_planes_backward(const float *gy, float *gx, int64_t planes, int64_t in_plane, int64_t out_plane,
                            const int32_t *off, const int32_t *idx) {
    if (planes * in_plane <= 0) return;
    gather_bwd_k<<<blocks_for(planes * in_plane), kThreads>>>(gy, gx, planes, in_plane, out_plane, off, idx);
    check_launch("gather backward");
}
void dropout_mask(float *y, int64_t n, double keep, uint64_t seed) {
    if (n <= 0) return;
    dropout_k<<<blocks_for(n), kThreads>>>(y, n, keep, seed);
    check_launch("dropout");
}
void adam_step(float *p, const float *g, float *m, float *v, int64_t n, float step_size, float beta1, float beta2,
               float eps, float bc2_sqrt, float wd, bool decoupled, float decay) {
    if (n <= 0) return;
    adam_k<<<blocks_for(n), kThreads>>>(p, g, m, v, n, step_size, beta1, beta2, eps, bc2_sqrt, wd, decoupled, decay);
    check_launch("adam");
}
void sgd_step(float *p, const float *g, float *buf, int64_t n, float lr, float momentum, float dampening, float wd,
              bool nesterov, bool first) {
    if (n <= 0) return;
    sgd_k<<<blocks_for(n), kThreads>>>(p, g, buf, n, lr, momentum, dampening, wd, nesterov, first);
    check_launch("sgd");
}

} // namespace vigil::nn::detail::cudak
