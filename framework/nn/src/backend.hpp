// backend.hpp — the per-device kernel interface the ops are written against.
//
// Ops (ops_*.cpp) are written once: they check arguments, compute output
// shapes, allocate outputs and record backward closures; all arithmetic goes
// through one Kernels object per device. The interface is deliberately small
// and coarse: elementwise families selected by an enum, reductions over an
// [outer, n, inner] view, GEMM, the four layer families with vendor
// primitives (convolution, batch norm, pooling, softmax), index-map gathers
// that express every data-movement op (upsampling, padding, flips,
// translations, rotations), strided block copies (slice, concat), and the
// fused optimiser updates.
//
// Conventions: every Tensor passed is dense row-major on this kernel set's
// device, floating dtype (f32, or f64 where the backend supports it) unless
// stated; outputs are allocated by the caller with the right shape and are
// fully overwritten unless the method says "accumulates". A backend that lacks
// a kernel throws vigil::sdk::Error(VIGIL_ERR_UNSUPPORTED, "<kernel>: not
// implemented on <device>").
#pragma once

#include <vigil/nn/tensor.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>

namespace vigil::nn::detail {

enum class Unary {
    relu,        // max(x, 0)
    leaky_relu,  // x > 0 ? x : a·x
    sigmoid,
    tanh,
    softplus,    // log(1 + exp(a·x)) / a, x when a·x > b (a = beta, b = threshold)
    exp,
    log,
    square,
    sqrt,
    abs,
    pow,         // x^a
    affine,      // a·x + b
};
enum class Binary { add, sub, mul, div, maximum };

// x [n, c_in, h, w] * weight [c_out, c_in, kh, kw] -> y [n, c_out, oh, ow].
struct ConvGeom {
    int64_t n, c_in, h, w, c_out, kh, kw, oh, ow, sh, sw, ph, pw;
};
// Batch norm sees x [n, c, ...] as [n, c, s] (s = product of the remaining axes, 1 for [n, c]).
inline void bn_dims(const Tensor &x, int64_t &n, int64_t &c, int64_t &s) {
    n = x.size(0);
    c = x.size(1);
    s = x.numel() / std::max<int64_t>(1, n * c);
}
enum class PoolKind { max, avg };  // avg: padding counted (count_include_pad)
struct PoolGeom {
    int64_t n, c, h, w, oh, ow, kh, kw, sh, sw, ph, pw;
};

// out[p, j] = map[j] >= 0 ? in[p, map[j]] : 0 for each of `planes` planes.
// The backward (sum of out-gradients into in) uses the inverse map in CSR
// form: for input position i, entries inv_idx[inv_off[i] .. inv_off[i+1])
// list the output positions reading it — a gather, so it is deterministic on
// every backend. Maps are int32 tensors on the kernels' device.
struct PlaneMap {
    int64_t in_plane = 0, out_plane = 0;
    Tensor map;               // [out_plane]
    Tensor inv_off, inv_idx;  // [in_plane + 1], [number of map entries >= 0]
};

class Kernels {
public:
    virtual ~Kernels() = default;
    virtual Device device() const = 0;
    virtual bool supports(DType t) const = 0;

    // ---- memory ----
    virtual void *allocate(size_t bytes) = 0;
    virtual void deallocate(void *p, size_t bytes) noexcept = 0;
    // Copies between this device and host memory, or within this device.
    virtual void to_host(void *dst, const void *src, size_t bytes) = 0;
    virtual void from_host(void *dst, const void *src, size_t bytes) = 0;
    virtual void copy(void *dst, const void *src, size_t bytes) = 0;

    // ---- elementwise ----
    virtual void fill(Tensor &y, double value) = 0;           // any dtype
    virtual void cast(const Tensor &x, Tensor &y) = 0;        // between any dtypes, same numel
    virtual void unary(Unary op, const Tensor &x, Tensor &y, double a, double b) = 0;
    // gx = gy · f'(x); y = f(x) is passed too (sigmoid, tanh, exp, sqrt use it).
    virtual void unary_backward(Unary op, const Tensor &x, const Tensor &y, const Tensor &gy, Tensor &gx, double a,
                                double b) = 0;
    // y = a ∘ b with broadcasting: a and b have y's rank, each axis either
    // equal to y's or 1.
    virtual void binary(Binary op, const Tensor &a, const Tensor &b, Tensor &y) = 0;
    // y = alpha·x + beta·y (same numel).
    virtual void axpby(double alpha, const Tensor &x, double beta, Tensor &y) = 0;
    // Gradients of maximum(a, b) (same shapes as y): ga = gy where a >= b, gb the rest.
    virtual void maximum_backward(const Tensor &a, const Tensor &b, const Tensor &gy, Tensor *ga, Tensor *gb) = 0;

    // ---- reductions over x viewed as [outer, n, inner] ----
    virtual void reduce_sum(const Tensor &x, Tensor &y, int64_t outer, int64_t n, int64_t inner) = 0;  // y [outer, inner]
    // y = max along n, idx (int32) = first position of it.
    virtual void reduce_max(const Tensor &x, Tensor &y, Tensor &idx, int64_t outer, int64_t n, int64_t inner) = 0;
    // gx = 0 except gx[o, idx[o, i], i] = gy[o, i].
    virtual void reduce_max_backward(const Tensor &gy, const Tensor &idx, Tensor &gx, int64_t outer, int64_t n,
                                     int64_t inner) = 0;

    // ---- linear algebra: C = alpha·op(A)·op(B) + beta·C, row-major, op(A) m×k, op(B) k×n ----
    virtual void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const Tensor &a,
                      const Tensor &b, double beta, Tensor &c) = 0;

    // ---- convolution (bias may be null) ----
    virtual void conv2d_forward(const Tensor &x, const Tensor &w, const Tensor *bias, Tensor &y, const ConvGeom &g) = 0;
    virtual void conv2d_backward_data(const Tensor &gy, const Tensor &w, Tensor &gx, const ConvGeom &g) = 0;
    // gw (and gb when not null) from x and gy.
    virtual void conv2d_backward_weights(const Tensor &x, const Tensor &gy, Tensor &gw, Tensor *gb,
                                         const ConvGeom &g) = 0;

    // ---- batch normalisation over x viewed as [n, c, spatial] (gamma/beta may be null) ----
    // Training: mean and biased variance of the batch into mean/var [c], then normalise.
    virtual void batchnorm_forward_train(const Tensor &x, const Tensor *gamma, const Tensor *beta, Tensor &y,
                                         Tensor &mean, Tensor &var, double eps) = 0;
    virtual void batchnorm_forward_eval(const Tensor &x, const Tensor *gamma, const Tensor *beta, const Tensor &mean,
                                        const Tensor &var, Tensor &y, double eps) = 0;
    // global_stats = false: through the batch statistics (training mode);
    // true: mean/var are constants (evaluation mode). ggamma/gbeta may be null.
    virtual void batchnorm_backward(const Tensor &x, const Tensor &gy, const Tensor *gamma, const Tensor &mean,
                                    const Tensor &var, Tensor &gx, Tensor *ggamma, Tensor *gbeta, double eps,
                                    bool global_stats) = 0;

    // ---- pooling; the returned workspace (max pooling) goes back to backward ----
    virtual std::shared_ptr<void> pool2d_forward(PoolKind k, const Tensor &x, Tensor &y, const PoolGeom &g) = 0;
    virtual void pool2d_backward(PoolKind k, const Tensor &gy, const std::shared_ptr<void> &workspace, Tensor &gx,
                                 const PoolGeom &g) = 0;

    // ---- softmax along n of [outer, n, inner] ----
    virtual void softmax(const Tensor &x, Tensor &y, int64_t outer, int64_t n, int64_t inner, bool log) = 0;
    virtual void softmax_backward(const Tensor &y, const Tensor &gy, Tensor &gx, int64_t outer, int64_t n,
                                  int64_t inner, bool log) = 0;
    // loss[i] = −lsm[i, labels[i]] for lsm [rows, classes], labels int32 [rows].
    // Throws INVALID_ARGUMENT for a label outside [0, classes).
    virtual void nll_forward(const Tensor &lsm, const Tensor &labels, Tensor &loss) = 0;
    // g = (exp(lsm) − onehot(labels)) · scale (the gradient of cross-entropy
    // through log-softmax, scale = upstream gradient / rows).
    virtual void cross_entropy_backward(const Tensor &lsm, const Tensor &labels, double scale, Tensor &g) = 0;

    // ---- data movement ----
    virtual void gather_planes(const Tensor &x, Tensor &y, int64_t planes, const PlaneMap &m) = 0;
    virtual void gather_planes_backward(const Tensor &gy, Tensor &gx, int64_t planes, const PlaneMap &m) = 0;
    // For o < outer: dst[o·dst_stride + dst_off + j] = src[o·src_stride + src_off + j], j < len (elements).
    virtual void copy_blocks(const Tensor &src, Tensor &dst, int64_t outer, int64_t len, int64_t src_stride,
                             int64_t src_off, int64_t dst_stride, int64_t dst_off) = 0;
    virtual void transpose2d(const Tensor &x, Tensor &y, int64_t rows, int64_t cols) = 0;  // y = xᵀ

    // ---- randomness: y[i] = hash(seed, i) < keep ? 1/keep : 0 ----
    virtual void dropout_mask(Tensor &y, double keep, uint64_t seed) = 0;

    // ---- optimisers (in place; see optim.hpp for the formulas) ----
    virtual void adam_step(Tensor &p, const Tensor &g, Tensor &m, Tensor &v, double lr, double beta1, double beta2,
                           double eps, double weight_decay, bool decoupled, int64_t step) = 0;
    virtual void sgd_step(Tensor &p, const Tensor &g, Tensor *buf, double lr, double momentum, double dampening,
                          double weight_decay, bool nesterov, bool first_step) = 0;
};

// The kernels of a device. cpu always exists; cuda exists in vigil_nn_cuda
// when a device is usable (otherwise throws VIGIL_ERR_NO_DEVICE naming why).
Kernels &kernels(Device d);
Kernels &cpu_kernels();
Kernels &cuda_kernels();  // defined by the variant: cuda/cuda_kernels.cpp or variant/cpu.cpp
// Give blocks kept for reuse back to the system (nn::release_cached_memory).
void release_cpu_cache();
void release_cuda_cache();  // defined by the variant (no-op in the cpu one)

// Counter-based hash used by dropout_mask on every backend: a uniform double
// in [0, 1) from (seed, index). splitmix64 finaliser; host+device.
#if defined(__CUDACC__)
__host__ __device__
#endif
inline double hash_uniform(uint64_t seed, uint64_t i) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (i + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

// Testing hook: run the cpu backend's plain reference loops for f32 too,
// instead of oneDNN, so tests can compare both paths.
void set_cpu_reference_mode(bool on);
bool cpu_reference_mode();

} // namespace vigil::nn::detail
