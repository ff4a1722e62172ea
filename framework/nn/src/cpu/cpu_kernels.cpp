// cpu_kernels.cpp — the cpu Kernels: oneDNN primitives for f32 where oneDNN
// has them (dnnl_ops.cpp), vectorised loops for f32 batch norm
// (batchnorm_f32.cpp), the reference loops (reference.hpp) for f64, for the
// rest, and for everything in reference mode.
#include "batchnorm_f32.hpp"
#include "dnnl_ops.hpp"
#include "reference.hpp"

#include <vigil/cpp/plugin.hpp>
#include <vigil/nn/nn.hpp>

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>

namespace vigil::nn {

namespace {
thread_local int g_threads = 0;
}

void set_num_threads(int n) {
    if (n < 1) n = 1;
    g_threads = n;
    omp_set_num_threads(n);
}
int num_threads() { return g_threads > 0 ? g_threads : omp_get_max_threads(); }

namespace detail {

int ref::threads() { return num_threads(); }

namespace {

using sdk::fail;
std::atomic<bool> g_reference{false};

template <class F> void dispatch(const Tensor &t, const char *what, F &&f) {
    switch (t.dtype()) {
    case DType::f32: f(float{}); break;
    case DType::f64: f(double{}); break;
    default: fail(VIGIL_ERR_INVALID_ARGUMENT, std::string(what) + ": needs a floating tensor, got " + t.describe());
    }
}
template <class T> T *ptr(const Tensor &t) { return static_cast<T *>(t.raw()); }
template <class T> T *opt(const Tensor *t) { return t ? static_cast<T *>(t->raw()) : nullptr; }

bool fast(const Tensor &t) { return t.dtype() == DType::f32 && !g_reference.load(std::memory_order_relaxed); }

// Max-pool workspace: oneDNN's, or the reference loops' argmax indices.
struct PoolWs {
    std::shared_ptr<void> dnnl;
    std::vector<int32_t> argmax;
};

template <class S, class D> void cast_loop(const S *s, D *d, int64_t n) {
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (n >= ref::kParallelMin)
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(s[i]);
}
template <class D> void cast_from(const Tensor &x, D *d, int64_t n) {
    switch (x.dtype()) {
    case DType::f32: cast_loop(ptr<float>(x), d, n); break;
    case DType::f64: cast_loop(ptr<double>(x), d, n); break;
    case DType::i32: cast_loop(ptr<int32_t>(x), d, n); break;
    }
}

class CpuKernels final : public Kernels {
public:
    Device device() const override { return Device::cpu; }
    bool supports(DType) const override { return true; }

    // Large blocks are recycled: a training step allocates the same sizes
    // every time, and glibc returns blocks above its mmap threshold (at most
    // 32 MiB) to the kernel on free, so each reuse would page-fault and zero
    // the memory again. Blocks of at least kCacheMin bytes go to per-size
    // free lists (at most kMaxCached bytes in all); smaller ones to malloc.
    void *allocate(size_t bytes) override {
        const size_t n = rounded(bytes);
        if (n >= kCacheMin) {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = free_.find(n);
            if (it != free_.end() && !it->second.empty()) {
                void *p = it->second.back();
                it->second.pop_back();
                cached_ -= n;
                return p;
            }
        }
        void *p = std::aligned_alloc(64, n);
        if (!p) {
            release_cached();
            p = std::aligned_alloc(64, n);
        }
        if (!p) fail(VIGIL_ERR_OUT_OF_MEMORY, "cpu tensor allocation of " + std::to_string(bytes) + " bytes failed");
        return p;
    }
    void deallocate(void *p, size_t bytes) noexcept override {
        const size_t n = rounded(bytes);
        if (p && n >= kCacheMin) {
            std::lock_guard<std::mutex> lock(mu_);
            if (cached_ + n <= kMaxCached) {
                free_[n].push_back(p);
                cached_ += n;
                return;
            }
        }
        std::free(p);
    }
    void release_cached() noexcept {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto &kv : free_)
            for (void *p : kv.second) std::free(p);
        free_.clear();
        cached_ = 0;
    }
    void to_host(void *dst, const void *src, size_t bytes) override { std::memcpy(dst, src, bytes); }
    void from_host(void *dst, const void *src, size_t bytes) override { std::memcpy(dst, src, bytes); }
    void copy(void *dst, const void *src, size_t bytes) override { std::memcpy(dst, src, bytes); }

    void fill(Tensor &y, double v) override {
        const int64_t n = y.numel();
        switch (y.dtype()) {
        case DType::f32: std::fill(ptr<float>(y), ptr<float>(y) + n, static_cast<float>(v)); break;
        case DType::f64: std::fill(ptr<double>(y), ptr<double>(y) + n, v); break;
        case DType::i32: std::fill(ptr<int32_t>(y), ptr<int32_t>(y) + n, static_cast<int32_t>(v)); break;
        }
    }
    void cast(const Tensor &x, Tensor &y) override {
        const int64_t n = x.numel();
        switch (y.dtype()) {
        case DType::f32: cast_from(x, ptr<float>(y), n); break;
        case DType::f64: cast_from(x, ptr<double>(y), n); break;
        case DType::i32: cast_from(x, ptr<int32_t>(y), n); break;
        }
    }

    void unary(Unary op, const Tensor &x, Tensor &y, double a, double b) override {
        if (fast(x) && dnnl_ops::eltwise_forward(op, ptr<float>(x), ptr<float>(y), x.numel(), a, b)) return;
        dispatch(x, "unary", [&](auto tag) {
            using T = decltype(tag);
            ref::unary(op, ptr<T>(x), ptr<T>(y), x.numel(), a, b);
        });
    }
    void unary_backward(Unary op, const Tensor &x, const Tensor &y, const Tensor &gy, Tensor &gx, double a,
                        double b) override {
        if (fast(x) &&
            dnnl_ops::eltwise_backward(op, ptr<float>(x), ptr<float>(y), ptr<float>(gy), ptr<float>(gx), x.numel(), a, b))
            return;
        dispatch(x, "unary backward", [&](auto tag) {
            using T = decltype(tag);
            ref::unary_backward(op, ptr<T>(x), ptr<T>(y), ptr<T>(gy), ptr<T>(gx), x.numel(), a, b);
        });
    }
    void binary(Binary op, const Tensor &a, const Tensor &b, Tensor &y) override {
        if (y.numel() == 0) return;
        const ref::BroadcastPlan p = ref::plan_broadcast(a.shape(), b.shape(), y.shape());
        dispatch(y, "binary", [&](auto tag) {
            using T = decltype(tag);
            ref::binary(op, ptr<T>(a), ptr<T>(b), ptr<T>(y), p);
        });
    }
    void axpby(double alpha, const Tensor &x, double beta, Tensor &y) override {
        dispatch(y, "axpby", [&](auto tag) {
            using T = decltype(tag);
            ref::axpby(alpha, ptr<T>(x), beta, ptr<T>(y), y.numel());
        });
    }
    void maximum_backward(const Tensor &a, const Tensor &b, const Tensor &gy, Tensor *ga, Tensor *gb) override {
        dispatch(gy, "maximum backward", [&](auto tag) {
            using T = decltype(tag);
            const T *pa = ptr<T>(a), *pb = ptr<T>(b), *pg = ptr<T>(gy);
            T *qa = opt<T>(ga), *qb = opt<T>(gb);
            const int64_t n = gy.numel();
            for (int64_t i = 0; i < n; ++i) {
                const bool first = pa[i] >= pb[i];
                if (qa) qa[i] = first ? pg[i] : T(0);
                if (qb) qb[i] = first ? T(0) : pg[i];
            }
        });
    }

    void reduce_sum(const Tensor &x, Tensor &y, int64_t outer, int64_t n, int64_t inner) override {
        dispatch(x, "sum", [&](auto tag) {
            using T = decltype(tag);
            ref::reduce_sum(ptr<T>(x), ptr<T>(y), outer, n, inner);
        });
    }
    void reduce_max(const Tensor &x, Tensor &y, Tensor &idx, int64_t outer, int64_t n, int64_t inner) override {
        dispatch(x, "max", [&](auto tag) {
            using T = decltype(tag);
            ref::reduce_max(ptr<T>(x), ptr<T>(y), ptr<int32_t>(idx), outer, n, inner);
        });
    }
    void reduce_max_backward(const Tensor &gy, const Tensor &idx, Tensor &gx, int64_t outer, int64_t n,
                             int64_t inner) override {
        dispatch(gy, "max backward", [&](auto tag) {
            using T = decltype(tag);
            ref::reduce_max_backward(ptr<T>(gy), ptr<int32_t>(idx), ptr<T>(gx), outer, n, inner);
        });
    }

    void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const Tensor &a, const Tensor &b,
              double beta, Tensor &c) override {
        if (fast(c)) {
            dnnl_ops::sgemm(ta, tb, m, n, k, static_cast<float>(alpha), ptr<float>(a), ptr<float>(b),
                            static_cast<float>(beta), ptr<float>(c));
            return;
        }
        dispatch(c, "gemm", [&](auto tag) {
            using T = decltype(tag);
            ref::gemm(ta, tb, m, n, k, alpha, ptr<T>(a), ptr<T>(b), beta, ptr<T>(c));
        });
    }

    void conv2d_forward(const Tensor &x, const Tensor &w, const Tensor *bias, Tensor &y, const ConvGeom &g) override {
        if (fast(x)) return dnnl_ops::conv_forward(ptr<float>(x), ptr<float>(w), opt<float>(bias), ptr<float>(y), g);
        dispatch(x, "conv2d", [&](auto tag) {
            using T = decltype(tag);
            ref::conv2d_forward(ptr<T>(x), ptr<T>(w), opt<T>(bias), ptr<T>(y), g);
        });
    }
    void conv2d_backward_data(const Tensor &gy, const Tensor &w, Tensor &gx, const ConvGeom &g) override {
        if (fast(gy)) return dnnl_ops::conv_backward_data(ptr<float>(gy), ptr<float>(w), ptr<float>(gx), g);
        dispatch(gy, "conv2d backward", [&](auto tag) {
            using T = decltype(tag);
            ref::conv2d_backward_data(ptr<T>(gy), ptr<T>(w), ptr<T>(gx), g);
        });
    }
    void conv2d_backward_weights(const Tensor &x, const Tensor &gy, Tensor &gw, Tensor *gb, const ConvGeom &g) override {
        if (fast(x))
            return dnnl_ops::conv_backward_weights(ptr<float>(x), ptr<float>(gy), ptr<float>(gw), opt<float>(gb), g);
        dispatch(x, "conv2d backward", [&](auto tag) {
            using T = decltype(tag);
            ref::conv2d_backward_weights(ptr<T>(x), ptr<T>(gy), ptr<T>(gw), opt<T>(gb), g);
        });
    }

    void batchnorm_forward_train(const Tensor &x, const Tensor *gamma, const Tensor *beta, Tensor &y, Tensor &mean,
                                 Tensor &var, double eps) override {
        int64_t n, c, s;
        bn_dims(x, n, c, s);
        if (fast(x))
            return fast::bn_forward_train(ptr<float>(x), opt<float>(gamma), opt<float>(beta), ptr<float>(y),
                                          ptr<float>(mean), ptr<float>(var), n, c, s, eps);
        dispatch(x, "batch norm", [&](auto tag) {
            using T = decltype(tag);
            ref::bn_stats(ptr<T>(x), ptr<T>(mean), ptr<T>(var), n, c, s);
            ref::bn_apply(ptr<T>(x), opt<T>(gamma), opt<T>(beta), ptr<T>(mean), ptr<T>(var), ptr<T>(y), n, c, s, eps);
        });
    }
    void batchnorm_forward_eval(const Tensor &x, const Tensor *gamma, const Tensor *beta, const Tensor &mean,
                                const Tensor &var, Tensor &y, double eps) override {
        int64_t n, c, s;
        bn_dims(x, n, c, s);
        if (fast(x))
            return fast::bn_forward_eval(ptr<float>(x), opt<float>(gamma), opt<float>(beta), ptr<float>(mean),
                                         ptr<float>(var), ptr<float>(y), n, c, s, eps);
        dispatch(x, "batch norm", [&](auto tag) {
            using T = decltype(tag);
            ref::bn_apply(ptr<T>(x), opt<T>(gamma), opt<T>(beta), ptr<T>(mean), ptr<T>(var), ptr<T>(y), n, c, s, eps);
        });
    }
    void batchnorm_backward(const Tensor &x, const Tensor &gy, const Tensor *gamma, const Tensor &mean,
                            const Tensor &var, Tensor &gx, Tensor *ggamma, Tensor *gbeta, double eps,
                            bool global_stats) override {
        int64_t n, c, s;
        bn_dims(x, n, c, s);
        if (fast(x))
            return fast::bn_backward(ptr<float>(x), ptr<float>(gy), opt<float>(gamma), ptr<float>(mean),
                                     ptr<float>(var), ptr<float>(gx), opt<float>(ggamma), opt<float>(gbeta), n, c, s,
                                     eps, global_stats);
        dispatch(x, "batch norm backward", [&](auto tag) {
            using T = decltype(tag);
            ref::bn_backward(ptr<T>(x), ptr<T>(gy), opt<T>(gamma), ptr<T>(mean), ptr<T>(var), ptr<T>(gx),
                             opt<T>(ggamma), opt<T>(gbeta), n, c, s, eps, global_stats);
        });
    }

    std::shared_ptr<void> pool2d_forward(PoolKind k, const Tensor &x, Tensor &y, const PoolGeom &g) override {
        auto ws = std::make_shared<PoolWs>();
        if (fast(x)) {
            ws->dnnl = dnnl_ops::pool_forward(k, ptr<float>(x), ptr<float>(y), g);
            return ws;
        }
        if (k == PoolKind::max) ws->argmax.resize(static_cast<size_t>(g.n * g.c * g.oh * g.ow));
        dispatch(x, "pool2d", [&](auto tag) {
            using T = decltype(tag);
            ref::pool2d_forward(k, ptr<T>(x), ptr<T>(y), k == PoolKind::max ? ws->argmax.data() : nullptr, g);
        });
        return ws;
    }
    void pool2d_backward(PoolKind k, const Tensor &gy, const std::shared_ptr<void> &wsv, Tensor &gx,
                         const PoolGeom &g) override {
        const auto *ws = static_cast<const PoolWs *>(wsv.get());
        if (ws->dnnl) return dnnl_ops::pool_backward(k, ptr<float>(gy), ws->dnnl, ptr<float>(gx), g);
        dispatch(gy, "pool2d backward", [&](auto tag) {
            using T = decltype(tag);
            ref::pool2d_backward(k, ptr<T>(gy), ws->argmax.data(), ptr<T>(gx), g);
        });
    }

    void softmax(const Tensor &x, Tensor &y, int64_t outer, int64_t n, int64_t inner, bool log) override {
        dispatch(x, "softmax", [&](auto tag) {
            using T = decltype(tag);
            ref::softmax(ptr<T>(x), ptr<T>(y), outer, n, inner, log);
        });
    }
    void softmax_backward(const Tensor &y, const Tensor &gy, Tensor &gx, int64_t outer, int64_t n, int64_t inner,
                          bool log) override {
        dispatch(y, "softmax backward", [&](auto tag) {
            using T = decltype(tag);
            ref::softmax_backward(ptr<T>(y), ptr<T>(gy), ptr<T>(gx), outer, n, inner, log);
        });
    }
    void nll_forward(const Tensor &lsm, const Tensor &labels, Tensor &loss) override {
        const int64_t rows = lsm.size(0), k = lsm.size(1);
        const int32_t *lab = ptr<int32_t>(labels);
        for (int64_t i = 0; i < rows; ++i)
            if (lab[i] < 0 || lab[i] >= k)
                fail(VIGIL_ERR_INVALID_ARGUMENT, "cross_entropy: label " + std::to_string(lab[i]) + " of row " +
                                                     std::to_string(i) + " outside 0.." + std::to_string(k - 1));
        dispatch(lsm, "nll", [&](auto tag) {
            using T = decltype(tag);
            const T *p = ptr<T>(lsm);
            T *l = ptr<T>(loss);
            for (int64_t i = 0; i < rows; ++i) l[i] = -p[i * k + lab[i]];
        });
    }
    void cross_entropy_backward(const Tensor &lsm, const Tensor &labels, double scale, Tensor &g) override {
        const int64_t rows = lsm.size(0), k = lsm.size(1);
        const int32_t *lab = ptr<int32_t>(labels);
        dispatch(lsm, "cross_entropy backward", [&](auto tag) {
            using T = decltype(tag);
            const T *p = ptr<T>(lsm);
            T *q = ptr<T>(g);
            for (int64_t i = 0; i < rows; ++i)
                for (int64_t j = 0; j < k; ++j)
                    q[i * k + j] = static_cast<T>((std::exp(double(p[i * k + j])) - (j == lab[i] ? 1.0 : 0.0)) * scale);
        });
    }

    void gather_planes(const Tensor &x, Tensor &y, int64_t planes, const PlaneMap &m) override {
        const int32_t *map = ptr<int32_t>(m.map);
        dispatch(x, "gather", [&](auto tag) {
            using T = decltype(tag);
            const T *px = ptr<T>(x);
            T *py = ptr<T>(y);
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (planes > 1 && planes * m.out_plane >= ref::kParallelMin)
            for (int64_t p = 0; p < planes; ++p) {
                const T *src = px + p * m.in_plane;
                T *dst = py + p * m.out_plane;
                for (int64_t j = 0; j < m.out_plane; ++j) dst[j] = map[j] >= 0 ? src[map[j]] : T(0);
            }
        });
    }
    void gather_planes_backward(const Tensor &gy, Tensor &gx, int64_t planes, const PlaneMap &m) override {
        const int32_t *off = ptr<int32_t>(m.inv_off), *idx = ptr<int32_t>(m.inv_idx);
        dispatch(gy, "gather backward", [&](auto tag) {
            using T = decltype(tag);
            const T *pg = ptr<T>(gy);
            T *px = ptr<T>(gx);
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (planes > 1 && planes * m.out_plane >= ref::kParallelMin)
            for (int64_t p = 0; p < planes; ++p) {
                const T *src = pg + p * m.out_plane;
                T *dst = px + p * m.in_plane;
                for (int64_t i = 0; i < m.in_plane; ++i) {
                    T s = T(0);
                    for (int32_t e = off[i]; e < off[i + 1]; ++e) s += src[idx[e]];
                    dst[i] = s;
                }
            }
        });
    }
    void copy_blocks(const Tensor &src, Tensor &dst, int64_t outer, int64_t len, int64_t src_stride, int64_t src_off,
                     int64_t dst_stride, int64_t dst_off) override {
        const size_t es = dtype_size(src.dtype());
        const char *s = static_cast<const char *>(src.raw());
        char *d = static_cast<char *>(dst.raw());
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (outer > 1 && outer * len >= ref::kParallelMin)
        for (int64_t o = 0; o < outer; ++o)
            std::memcpy(d + (o * dst_stride + dst_off) * es, s + (o * src_stride + src_off) * es, static_cast<size_t>(len) * es);
    }
    void transpose2d(const Tensor &x, Tensor &y, int64_t rows, int64_t cols) override {
        dispatch(x, "transpose", [&](auto tag) {
            using T = decltype(tag);
            const T *p = ptr<T>(x);
            T *q = ptr<T>(y);
            constexpr int64_t B = 32;
            for (int64_t i0 = 0; i0 < rows; i0 += B)
                for (int64_t j0 = 0; j0 < cols; j0 += B)
                    for (int64_t i = i0; i < std::min(rows, i0 + B); ++i)
                        for (int64_t j = j0; j < std::min(cols, j0 + B); ++j) q[j * rows + i] = p[i * cols + j];
        });
    }

    void dropout_mask(Tensor &y, double keep, uint64_t seed) override {
        const int64_t n = y.numel();
        dispatch(y, "dropout", [&](auto tag) {
            using T = decltype(tag);
            T *q = ptr<T>(y);
            const T scale = static_cast<T>(1.0 / keep);
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (n >= ref::kParallelMin)
            for (int64_t i = 0; i < n; ++i) q[i] = hash_uniform(seed, static_cast<uint64_t>(i)) < keep ? scale : T(0);
        });
    }

    void adam_step(Tensor &p, const Tensor &g, Tensor &m, Tensor &v, double lr, double beta1, double beta2, double eps,
                   double wd, bool decoupled, int64_t step) override {
        const double bc1 = 1.0 - std::pow(beta1, double(step)), bc2 = 1.0 - std::pow(beta2, double(step));
        const double step_size = lr / bc1, bc2_sqrt = std::sqrt(bc2);
        const int64_t n = p.numel();
        dispatch(p, "adam", [&](auto tag) {
            using T = decltype(tag);
            T *pp = ptr<T>(p), *pm = ptr<T>(m), *pv = ptr<T>(v);
            const T *pg = ptr<T>(g);
            const T b1 = T(beta1), b2 = T(beta2), ob1 = T(1 - beta1), ob2 = T(1 - beta2), e = T(eps),
                    ss = T(step_size), bs = T(bc2_sqrt), w = T(wd), decay = T(1.0 - lr * wd);
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (n >= ref::kParallelMin)
            for (int64_t i = 0; i < n; ++i) {
                T gi = pg[i];
                if (decoupled)
                    pp[i] *= decay;
                else if (wd != 0.0)
                    gi += w * pp[i];
                pm[i] = b1 * pm[i] + ob1 * gi;
                pv[i] = b2 * pv[i] + ob2 * gi * gi;
                pp[i] -= ss * pm[i] / (std::sqrt(pv[i]) / bs + e);
            }
        });
    }
    void sgd_step(Tensor &p, const Tensor &g, Tensor *buf, double lr, double momentum, double dampening, double wd,
                  bool nesterov, bool first) override {
        const int64_t n = p.numel();
        dispatch(p, "sgd", [&](auto tag) {
            using T = decltype(tag);
            T *pp = ptr<T>(p), *pb = opt<T>(buf);
            const T *pg = ptr<T>(g);
            const T mu = T(momentum), damp = T(1 - dampening), w = T(wd), rate = T(lr);
#pragma omp parallel for schedule(static) num_threads(ref::threads()) if (n >= ref::kParallelMin)
            for (int64_t i = 0; i < n; ++i) {
                T gi = pg[i] + w * pp[i];
                if (pb) {
                    pb[i] = first ? gi : mu * pb[i] + damp * gi;
                    gi = nesterov ? gi + mu * pb[i] : pb[i];
                }
                pp[i] -= rate * gi;
            }
        });
    }

private:
    static size_t rounded(size_t bytes) {
        const size_t n = std::max<size_t>(bytes, 1);
        return n >= kCacheMin ? (n + 4095) / 4096 * 4096 : (n + 63) / 64 * 64;
    }
    static constexpr size_t kCacheMin = size_t(1) << 18;   // 256 KiB
    static constexpr size_t kMaxCached = size_t(1) << 30;  // 1 GiB
    std::mutex mu_;
    std::map<size_t, std::vector<void *>> free_;
    size_t cached_ = 0;
};

// Never destroyed: tensors held by other statics (index-map caches, a
// plugin's globals) may be freed during exit, after any static kernels
// object would have been destroyed.
CpuKernels &the_cpu_kernels() {
    static CpuKernels *k = new CpuKernels;
    return *k;
}

} // namespace

void release_cpu_cache() { the_cpu_kernels().release_cached(); }
} // namespace detail

void release_cached_memory() {
    detail::release_cpu_cache();
    detail::release_cuda_cache();
}

namespace detail {

namespace ref {
BroadcastPlan plan_broadcast(const Shape &a, const Shape &b, const Shape &y) {
    // Element strides of a and b in y's index space (0 on broadcast axes),
    // then adjacent axes merged when both operands step alike across them.
    const int r = static_cast<int>(y.size());
    std::vector<int64_t> dims, sa, sb;
    {
        std::vector<int64_t> ca(static_cast<size_t>(r)), cb(static_cast<size_t>(r));
        int64_t pa = 1, pb = 1;
        for (int d = r - 1; d >= 0; --d) {
            const size_t u = static_cast<size_t>(d);
            ca[u] = a[u] == 1 ? 0 : pa;
            cb[u] = b[u] == 1 ? 0 : pb;
            pa *= a[u];
            pb *= b[u];
        }
        for (int d = 0; d < r; ++d) {
            const size_t u = static_cast<size_t>(d);
            if (y[u] == 1) continue;  // size-1 axes contribute nothing
            if (!dims.empty()) {
                const size_t l = dims.size() - 1;
                // Merge axis d into the previous one when, for each operand,
                // both are broadcast or both are contiguous continuations.
                const bool ma = (sa[l] == 0 && ca[u] == 0) || (sa[l] != 0 && ca[u] != 0 && sa[l] == ca[u] * y[u]);
                const bool mb = (sb[l] == 0 && cb[u] == 0) || (sb[l] != 0 && cb[u] != 0 && sb[l] == cb[u] * y[u]);
                if (ma && mb) {
                    dims[l] *= y[u];
                    sa[l] = ca[u];
                    sb[l] = cb[u];
                    continue;
                }
            }
            dims.push_back(y[u]);
            sa.push_back(ca[u]);
            sb.push_back(cb[u]);
        }
    }
    if (dims.empty()) {
        dims.push_back(1);
        sa.push_back(1);
        sb.push_back(1);
    }
    if (dims.size() > 8) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "broadcast over more than 8 irregular axes");
    BroadcastPlan p;
    p.rank = static_cast<int>(dims.size());
    for (int i = 0; i < p.rank; ++i) {
        p.dims[i] = dims[static_cast<size_t>(i)];
        p.sa[i] = sa[static_cast<size_t>(i)];
        p.sb[i] = sb[static_cast<size_t>(i)];
    }
    return p;
}
} // namespace ref

Kernels &cpu_kernels() { return the_cpu_kernels(); }
Kernels &kernels(Device d) { return d == Device::cpu ? cpu_kernels() : cuda_kernels(); }

void set_cpu_reference_mode(bool on) { g_reference.store(on); }
bool cpu_reference_mode() { return g_reference.load(); }

} // namespace detail
} // namespace vigil::nn
