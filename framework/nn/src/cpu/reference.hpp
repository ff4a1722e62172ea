// reference.hpp — plain loops for every cpu kernel, templated on the element
// type. They run all float64 work (oneDNN has no f64) and the f32 work that
// oneDNN has no primitive for; in reference mode (backend.hpp) they run all
// f32 work too, so tests compare oneDNN against them.
//
// Parallel loops use OpenMP with a static schedule over independent outputs,
// and every reduction runs in a fixed order inside one thread, so results do
// not depend on the number of threads.
#pragma once

#include "../backend.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace vigil::nn::detail::ref {

int threads();  // the calling thread's budget (nn::num_threads())

// Loops below this many elements stay on one thread.
constexpr int64_t kParallelMin = 1 << 14;

template <class T> inline T softplus_f(T x, double beta, double threshold) {
    const double bx = beta * double(x);
    if (bx > threshold) return x;
    return static_cast<T>(std::log1p(std::exp(bx)) / beta);
}

template <class T> inline T unary_f(Unary op, T x, double a, double b) {
    switch (op) {
    case Unary::relu: return x > T(0) ? x : T(0);
    case Unary::leaky_relu: return x > T(0) ? x : static_cast<T>(a * x);
    case Unary::sigmoid: return static_cast<T>(1) / (static_cast<T>(1) + std::exp(-x));
    case Unary::tanh: return std::tanh(x);
    case Unary::softplus: return softplus_f(x, a, b);
    case Unary::exp: return std::exp(x);
    case Unary::log: return std::log(x);
    case Unary::square: return x * x;
    case Unary::sqrt: return std::sqrt(x);
    case Unary::abs: return std::abs(x);
    case Unary::pow: return static_cast<T>(std::pow(double(x), a));
    case Unary::affine: return static_cast<T>(a * x + b);
    }
    return x;
}

// d f / d x at x (y = f(x)).
template <class T> inline T unary_grad(Unary op, T x, T y, double a, double b) {
    switch (op) {
    case Unary::relu: return x > T(0) ? T(1) : T(0);
    case Unary::leaky_relu: return x > T(0) ? T(1) : static_cast<T>(a);
    case Unary::sigmoid: return y * (T(1) - y);
    case Unary::tanh: return T(1) - y * y;
    case Unary::softplus: {
        const double bx = a * double(x);
        if (bx > b) return T(1);
        return static_cast<T>(1.0 / (1.0 + std::exp(-bx)));
    }
    case Unary::exp: return y;
    case Unary::log: return T(1) / x;
    case Unary::square: return T(2) * x;
    case Unary::sqrt: return T(0.5) / y;
    case Unary::abs: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    case Unary::pow: return static_cast<T>(a * std::pow(double(x), a - 1.0));
    case Unary::affine: return static_cast<T>(a);
    }
    return T(0);
}

template <class T> void unary(Unary op, const T *x, T *y, int64_t n, double a, double b) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) y[i] = unary_f(op, x[i], a, b);
}

template <class T> void unary_backward(Unary op, const T *x, const T *y, const T *gy, T *gx, int64_t n, double a, double b) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) gx[i] = gy[i] * unary_grad(op, x[i], y[i], a, b);
}

template <class T> inline T binary_f(Binary op, T a, T b) {
    switch (op) {
    case Binary::add: return a + b;
    case Binary::sub: return a - b;
    case Binary::mul: return a * b;
    case Binary::div: return a / b;
    case Binary::maximum: return a >= b ? a : b;
    }
    return a;
}

// Broadcast geometry after merging adjacent axes that broadcast alike:
// y has dims[0..rank), a and b step by sa/sb (0 on broadcast axes).
struct BroadcastPlan {
    int rank = 0;
    int64_t dims[8], sa[8], sb[8];
};
BroadcastPlan plan_broadcast(const Shape &a, const Shape &b, const Shape &y);

template <class T> void binary(Binary op, const T *a, const T *b, T *y, const BroadcastPlan &p) {
    const int r = p.rank;
    const int64_t inner = p.dims[r - 1], isa = p.sa[r - 1], isb = p.sb[r - 1];
    int64_t rows = 1;
    for (int d = 0; d < r - 1; ++d) rows *= p.dims[d];
#pragma omp parallel for schedule(static) num_threads(threads()) if (rows * inner >= kParallelMin && rows > 1)
    for (int64_t row = 0; row < rows; ++row) {
        int64_t oa = 0, ob = 0, rem = row;
        for (int d = r - 2; d >= 0; --d) {
            const int64_t i = rem % p.dims[d];
            rem /= p.dims[d];
            oa += i * p.sa[d];
            ob += i * p.sb[d];
        }
        const T *pa = a + oa;
        const T *pb = b + ob;
        T *py = y + row * inner;
        if (isa && isb) {
            for (int64_t j = 0; j < inner; ++j) py[j] = binary_f(op, pa[j], pb[j]);
        } else if (isa) {
            const T bv = pb[0];
            for (int64_t j = 0; j < inner; ++j) py[j] = binary_f(op, pa[j], bv);
        } else if (isb) {
            const T av = pa[0];
            for (int64_t j = 0; j < inner; ++j) py[j] = binary_f(op, av, pb[j]);
        } else {
            const T v = binary_f(op, pa[0], pb[0]);
            for (int64_t j = 0; j < inner; ++j) py[j] = v;
        }
    }
}

template <class T> void axpby(double alpha, const T *x, double beta, T *y, int64_t n) {
    const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
#pragma omp parallel for schedule(static) num_threads(threads()) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) y[i] = a * x[i] + b * y[i];
}

// Sum along n of [outer, n, inner], accumulated in double.
template <class T> void reduce_sum(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) {
    if (inner == 1) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (outer * n >= kParallelMin && outer > 1)
        for (int64_t o = 0; o < outer; ++o) {
            const T *p = x + o * n;
            double s = 0;
            for (int64_t j = 0; j < n; ++j) s += p[j];
            y[o] = static_cast<T>(s);
        }
        return;
    }
    const int64_t cols = outer * inner;
#pragma omp parallel num_threads(threads()) if (outer * n * inner >= kParallelMin && cols > 1)
    {
        std::vector<double> acc;
#pragma omp for schedule(static)
        for (int64_t o = 0; o < outer; ++o) {
            acc.assign(static_cast<size_t>(inner), 0.0);
            for (int64_t j = 0; j < n; ++j) {
                const T *p = x + (o * n + j) * inner;
                for (int64_t i = 0; i < inner; ++i) acc[static_cast<size_t>(i)] += p[i];
            }
            for (int64_t i = 0; i < inner; ++i) y[o * inner + i] = static_cast<T>(acc[static_cast<size_t>(i)]);
        }
    }
}

template <class T> void reduce_max(const T *x, T *y, int32_t *idx, int64_t outer, int64_t n, int64_t inner) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (outer * n * inner >= kParallelMin && outer * inner > 1)
    for (int64_t oi = 0; oi < outer * inner; ++oi) {
        const int64_t o = oi / inner, i = oi % inner;
        const T *p = x + o * n * inner + i;
        T best = p[0];
        int32_t bi = 0;
        for (int64_t j = 1; j < n; ++j) {
            const T v = p[j * inner];
            if (v > best || (std::isnan(v) && !std::isnan(best))) {
                best = v;
                bi = static_cast<int32_t>(j);
            }
        }
        y[oi] = best;
        idx[oi] = bi;
    }
}

template <class T> void reduce_max_backward(const T *gy, const int32_t *idx, T *gx, int64_t outer, int64_t n, int64_t inner) {
    std::fill(gx, gx + outer * n * inner, T(0));
    for (int64_t oi = 0; oi < outer * inner; ++oi) {
        const int64_t o = oi / inner, i = oi % inner;
        gx[(o * n + idx[oi]) * inner + i] = gy[oi];
    }
}

// Row-major C = alpha op(A) op(B) + beta C.
template <class T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const T *a, const T *b, double beta, T *c) {
    const int64_t lda = ta ? m : k, ldb = tb ? k : n;
#pragma omp parallel for schedule(static) num_threads(threads()) if (m * n * k >= kParallelMin && m > 1)
    for (int64_t i = 0; i < m; ++i) {
        std::vector<T> row(static_cast<size_t>(n), T(0));
        for (int64_t p = 0; p < k; ++p) {
            const T av = ta ? a[p * lda + i] : a[i * lda + p];
            if (av == T(0)) continue;
            if (tb) {
                for (int64_t j = 0; j < n; ++j) row[static_cast<size_t>(j)] += av * b[j * ldb + p];
            } else {
                const T *bp = b + p * ldb;
                for (int64_t j = 0; j < n; ++j) row[static_cast<size_t>(j)] += av * bp[j];
            }
        }
        T *cr = c + i * n;
        for (int64_t j = 0; j < n; ++j)
            cr[j] = static_cast<T>(alpha * row[static_cast<size_t>(j)] + (beta == 0.0 ? 0.0 : beta * cr[j]));
    }
}

// out[ch] = Σ over n and s of g[n, ch, s], in double.
template <class T> void channel_sums(const T *gy, T *out, int64_t n, int64_t c, int64_t s) {
    for (int64_t ch = 0; ch < c; ++ch) {
        double acc = 0;
        for (int64_t i = 0; i < n; ++i) {
            const T *p = gy + (i * c + ch) * s;
            for (int64_t j = 0; j < s; ++j) acc += p[j];
        }
        out[ch] = static_cast<T>(acc);
    }
}

template <class T> void conv2d_forward(const T *x, const T *w, const T *bias, T *y, const ConvGeom &g) {
    const int64_t planes = g.n * g.c_out;
#pragma omp parallel for schedule(static) num_threads(threads()) if (planes > 1)
    for (int64_t p = 0; p < planes; ++p) {
        const int64_t n = p / g.c_out, co = p % g.c_out;
        T *yp = y + p * g.oh * g.ow;
        const T b0 = bias ? bias[co] : T(0);
        for (int64_t oy = 0; oy < g.oh; ++oy)
            for (int64_t ox = 0; ox < g.ow; ++ox) {
                T s = b0;
                for (int64_t ci = 0; ci < g.c_in; ++ci) {
                    const T *xp = x + (n * g.c_in + ci) * g.h * g.w;
                    const T *wp = w + (co * g.c_in + ci) * g.kh * g.kw;
                    for (int64_t ky = 0; ky < g.kh; ++ky) {
                        const int64_t iy = oy * g.sh - g.ph + ky;
                        if (iy < 0 || iy >= g.h) continue;
                        for (int64_t kx = 0; kx < g.kw; ++kx) {
                            const int64_t ix = ox * g.sw - g.pw + kx;
                            if (ix < 0 || ix >= g.w) continue;
                            s += xp[iy * g.w + ix] * wp[ky * g.kw + kx];
                        }
                    }
                }
                yp[oy * g.ow + ox] = s;
            }
    }
}

template <class T> void conv2d_backward_data(const T *gy, const T *w, T *gx, const ConvGeom &g) {
    const int64_t planes = g.n * g.c_in;
#pragma omp parallel for schedule(static) num_threads(threads()) if (planes > 1)
    for (int64_t p = 0; p < planes; ++p) {
        const int64_t n = p / g.c_in, ci = p % g.c_in;
        T *gxp = gx + p * g.h * g.w;
        std::fill(gxp, gxp + g.h * g.w, T(0));
        for (int64_t co = 0; co < g.c_out; ++co) {
            const T *gyp = gy + (n * g.c_out + co) * g.oh * g.ow;
            const T *wp = w + (co * g.c_in + ci) * g.kh * g.kw;
            for (int64_t oy = 0; oy < g.oh; ++oy)
                for (int64_t ox = 0; ox < g.ow; ++ox) {
                    const T v = gyp[oy * g.ow + ox];
                    for (int64_t ky = 0; ky < g.kh; ++ky) {
                        const int64_t iy = oy * g.sh - g.ph + ky;
                        if (iy < 0 || iy >= g.h) continue;
                        for (int64_t kx = 0; kx < g.kw; ++kx) {
                            const int64_t ix = ox * g.sw - g.pw + kx;
                            if (ix < 0 || ix >= g.w) continue;
                            gxp[iy * g.w + ix] += v * wp[ky * g.kw + kx];
                        }
                    }
                }
        }
    }
}

template <class T> void conv2d_backward_weights(const T *x, const T *gy, T *gw, T *gb, const ConvGeom &g) {
    const int64_t pairs = g.c_out * g.c_in;
#pragma omp parallel for schedule(static) num_threads(threads()) if (pairs > 1)
    for (int64_t p = 0; p < pairs; ++p) {
        const int64_t co = p / g.c_in, ci = p % g.c_in;
        T *gwp = gw + p * g.kh * g.kw;
        for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
                double s = 0;
                for (int64_t n = 0; n < g.n; ++n) {
                    const T *xp = x + (n * g.c_in + ci) * g.h * g.w;
                    const T *gyp = gy + (n * g.c_out + co) * g.oh * g.ow;
                    for (int64_t oy = 0; oy < g.oh; ++oy) {
                        const int64_t iy = oy * g.sh - g.ph + ky;
                        if (iy < 0 || iy >= g.h) continue;
                        for (int64_t ox = 0; ox < g.ow; ++ox) {
                            const int64_t ix = ox * g.sw - g.pw + kx;
                            if (ix < 0 || ix >= g.w) continue;
                            s += double(gyp[oy * g.ow + ox]) * xp[iy * g.w + ix];
                        }
                    }
                }
                gwp[ky * g.kw + kx] = static_cast<T>(s);
            }
    }
    if (gb) channel_sums(gy, gb, g.n, g.c_out, g.oh * g.ow);
}

// Batch statistics of x [n, c, s]: mean and biased variance (two passes, double).
template <class T> void bn_stats(const T *x, T *mean, T *var, int64_t n, int64_t c, int64_t s) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (c > 1 && n * c * s >= kParallelMin)
    for (int64_t ch = 0; ch < c; ++ch) {
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) {
            const T *p = x + (i * c + ch) * s;
            for (int64_t j = 0; j < s; ++j) sum += p[j];
        }
        const double m = sum / double(n * s);
        double sq = 0;
        for (int64_t i = 0; i < n; ++i) {
            const T *p = x + (i * c + ch) * s;
            for (int64_t j = 0; j < s; ++j) sq += (double(p[j]) - m) * (double(p[j]) - m);
        }
        mean[ch] = static_cast<T>(m);
        var[ch] = static_cast<T>(sq / double(n * s));
    }
}

template <class T>
void bn_apply(const T *x, const T *gamma, const T *beta, const T *mean, const T *var, T *y, int64_t n, int64_t c, int64_t s,
              double eps) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (n * c * s >= kParallelMin)
    for (int64_t p = 0; p < n * c; ++p) {
        const int64_t ch = p % c;
        const double rstd = 1.0 / std::sqrt(double(var[ch]) + eps);
        const double sc = (gamma ? double(gamma[ch]) : 1.0) * rstd;
        const double sh = (beta ? double(beta[ch]) : 0.0) - double(mean[ch]) * sc;
        const T *xp = x + p * s;
        T *yp = y + p * s;
        for (int64_t j = 0; j < s; ++j) yp[j] = static_cast<T>(double(xp[j]) * sc + sh);
    }
}

template <class T>
void bn_backward(const T *x, const T *gy, const T *gamma, const T *mean, const T *var, T *gx, T *ggamma, T *gbeta, int64_t n,
                 int64_t c, int64_t s, double eps, bool global_stats) {
    const double m = double(n * s);
#pragma omp parallel for schedule(static) num_threads(threads()) if (c > 1 && n * c * s >= kParallelMin)
    for (int64_t ch = 0; ch < c; ++ch) {
        const double mu = mean[ch], rstd = 1.0 / std::sqrt(double(var[ch]) + eps);
        double sg = 0, sgx = 0;  // Σ gy, Σ gy·x̂
        for (int64_t i = 0; i < n; ++i) {
            const T *xp = x + (i * c + ch) * s;
            const T *gp = gy + (i * c + ch) * s;
            for (int64_t j = 0; j < s; ++j) {
                sg += gp[j];
                sgx += double(gp[j]) * (double(xp[j]) - mu) * rstd;
            }
        }
        if (ggamma) ggamma[ch] = static_cast<T>(sgx);
        if (gbeta) gbeta[ch] = static_cast<T>(sg);
        const double ga = gamma ? double(gamma[ch]) : 1.0;
        for (int64_t i = 0; i < n; ++i) {
            const T *xp = x + (i * c + ch) * s;
            const T *gp = gy + (i * c + ch) * s;
            T *gxp = gx + (i * c + ch) * s;
            for (int64_t j = 0; j < s; ++j) {
                if (global_stats) {
                    gxp[j] = static_cast<T>(double(gp[j]) * ga * rstd);
                } else {
                    const double xh = (double(xp[j]) - mu) * rstd;
                    gxp[j] = static_cast<T>(ga * rstd * (double(gp[j]) - sg / m - xh * sgx / m));
                }
            }
        }
    }
}

// Max pooling records the flat input index (within the plane) of each output's
// maximum (first one on ties), or -1 for a window entirely in padding.
template <class T> void pool2d_forward(PoolKind k, const T *x, T *y, int32_t *argmax, const PoolGeom &g) {
    const int64_t planes = g.n * g.c;
#pragma omp parallel for schedule(static) num_threads(threads()) if (planes > 1 && planes * g.oh * g.ow * g.kh * g.kw >= kParallelMin)
    for (int64_t p = 0; p < planes; ++p) {
        const T *xp = x + p * g.h * g.w;
        T *yp = y + p * g.oh * g.ow;
        int32_t *ap = argmax ? argmax + p * g.oh * g.ow : nullptr;
        for (int64_t oy = 0; oy < g.oh; ++oy)
            for (int64_t ox = 0; ox < g.ow; ++ox) {
                double sum = 0;
                T best = -std::numeric_limits<T>::infinity();
                int32_t bi = -1;
                for (int64_t ky = 0; ky < g.kh; ++ky) {
                    const int64_t iy = oy * g.sh - g.ph + ky;
                    if (iy < 0 || iy >= g.h) continue;
                    for (int64_t kx = 0; kx < g.kw; ++kx) {
                        const int64_t ix = ox * g.sw - g.pw + kx;
                        if (ix < 0 || ix >= g.w) continue;
                        const T v = xp[iy * g.w + ix];
                        sum += v;
                        if (bi < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
                            best = v;
                            bi = static_cast<int32_t>(iy * g.w + ix);
                        }
                    }
                }
                if (k == PoolKind::max) {
                    yp[oy * g.ow + ox] = best;
                    ap[oy * g.ow + ox] = bi;
                } else {
                    yp[oy * g.ow + ox] = static_cast<T>(sum / double(g.kh * g.kw));
                }
            }
    }
}

template <class T> void pool2d_backward(PoolKind k, const T *gy, const int32_t *argmax, T *gx, const PoolGeom &g) {
    const int64_t planes = g.n * g.c;
#pragma omp parallel for schedule(static) num_threads(threads()) if (planes > 1 && planes * g.h * g.w >= kParallelMin)
    for (int64_t p = 0; p < planes; ++p) {
        T *gxp = gx + p * g.h * g.w;
        const T *gyp = gy + p * g.oh * g.ow;
        std::fill(gxp, gxp + g.h * g.w, T(0));
        if (k == PoolKind::max) {
            const int32_t *ap = argmax + p * g.oh * g.ow;
            for (int64_t o = 0; o < g.oh * g.ow; ++o)
                if (ap[o] >= 0) gxp[ap[o]] += gyp[o];
            continue;
        }
        const T inv = static_cast<T>(1.0 / double(g.kh * g.kw));
        for (int64_t oy = 0; oy < g.oh; ++oy)
            for (int64_t ox = 0; ox < g.ow; ++ox) {
                const T v = gyp[oy * g.ow + ox] * inv;
                for (int64_t ky = 0; ky < g.kh; ++ky) {
                    const int64_t iy = oy * g.sh - g.ph + ky;
                    if (iy < 0 || iy >= g.h) continue;
                    for (int64_t kx = 0; kx < g.kw; ++kx) {
                        const int64_t ix = ox * g.sw - g.pw + kx;
                        if (ix < 0 || ix >= g.w) continue;
                        gxp[iy * g.w + ix] += v;
                    }
                }
            }
    }
}

template <class T> void softmax(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, bool log) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (outer * inner > 1 && outer * n * inner >= kParallelMin)
    for (int64_t oi = 0; oi < outer * inner; ++oi) {
        const int64_t o = oi / inner, i = oi % inner;
        const T *p = x + o * n * inner + i;
        T *q = y + o * n * inner + i;
        T mx = p[0];
        for (int64_t j = 1; j < n; ++j) mx = std::max(mx, p[j * inner]);
        double s = 0;
        for (int64_t j = 0; j < n; ++j) s += std::exp(double(p[j * inner] - mx));
        if (log) {
            const double ls = std::log(s);
            for (int64_t j = 0; j < n; ++j) q[j * inner] = static_cast<T>(double(p[j * inner] - mx) - ls);
        } else {
            for (int64_t j = 0; j < n; ++j) q[j * inner] = static_cast<T>(std::exp(double(p[j * inner] - mx)) / s);
        }
    }
}

template <class T> void softmax_backward(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, bool log) {
#pragma omp parallel for schedule(static) num_threads(threads()) if (outer * inner > 1 && outer * n * inner >= kParallelMin)
    for (int64_t oi = 0; oi < outer * inner; ++oi) {
        const int64_t o = oi / inner, i = oi % inner;
        const int64_t base = o * n * inner + i;
        double s = 0;
        if (log) {
            for (int64_t j = 0; j < n; ++j) s += gy[base + j * inner];
            for (int64_t j = 0; j < n; ++j)
                gx[base + j * inner] = static_cast<T>(double(gy[base + j * inner]) - std::exp(double(y[base + j * inner])) * s);
        } else {
            for (int64_t j = 0; j < n; ++j) s += double(gy[base + j * inner]) * y[base + j * inner];
            for (int64_t j = 0; j < n; ++j)
                gx[base + j * inner] = static_cast<T>(double(y[base + j * inner]) * (double(gy[base + j * inner]) - s));
        }
    }
}

} // namespace vigil::nn::detail::ref
