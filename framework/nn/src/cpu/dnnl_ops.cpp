// dnnl_ops.cpp — oneDNN 2.6 primitives behind the f32 cpu kernels.
#include "dnnl_ops.hpp"

#include <vigil/cpp/plugin.hpp>

#include <dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::nn::detail::dnnl_ops {

namespace {

using dnnl::memory;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using Key = std::vector<int64_t>;

dnnl::engine &engine() {
    static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    return eng;
}
dnnl::stream &stream() {
    thread_local dnnl::stream s(engine());
    return s;
}

[[noreturn]] void rethrow(const char *what, const dnnl::error &e) {
    sdk::fail(e.status == dnnl_out_of_memory ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
              std::string("oneDNN ") + what + " failed: " + e.what());
}

// A bounded, thread-safe cache of primitive bundles keyed by shape and
// parameters. Entries are shared_ptr so a caller can keep using one while
// another thread evicts the map.
template <class E> class Cache {
public:
    std::shared_ptr<E> get(const Key &k, const std::function<std::shared_ptr<E>()> &make) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = map_.find(k);
            if (it != map_.end()) return it->second;
        }
        std::shared_ptr<E> e = make();
        std::lock_guard<std::mutex> lock(mu_);
        if (map_.size() >= kMax) map_.clear();
        map_.emplace(k, e);
        return e;
    }

private:
    static constexpr size_t kMax = 512;
    std::mutex mu_;
    std::map<Key, std::shared_ptr<E>> map_;
};

int64_t fbits(double v) {
    const float f = static_cast<float>(v);
    int32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}

// A user buffer in plain layout, reordered into the primitive's layout when
// they differ.
struct Reorder {
    bool needed = false;
    memory::desc from, to;
    dnnl::reorder prim;
    void init(const memory::desc &user, const memory::desc &prim_md, bool to_prim) {
        needed = user != prim_md;
        if (!needed) return;
        from = to_prim ? user : prim_md;
        to = to_prim ? prim_md : user;
        prim = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to));
    }
};

// Buffers for the reordered (blocked) copies of one primitive call, taken
// from the cpu tensor allocator's block cache and handed back when the call
// ends: a training step needs the same sizes every time, and fresh
// oneDNN-owned buffers of tens of MiB would be page-faulted and zeroed anew
// at every reorder (measured: a quarter of WRN-10-4's reorder time).
class Scratch {
public:
    Scratch() = default;
    Scratch(const Scratch &) = delete;
    Scratch &operator=(const Scratch &) = delete;
    ~Scratch() {
        for (auto &b : blocks_) cpu_kernels().deallocate(b.first, b.second);
    }
    memory make(const memory::desc &md) {
        const size_t bytes = md.get_size();
        void *p = cpu_kernels().allocate(bytes);
        blocks_.emplace_back(p, bytes);
        return memory(md, engine(), p);
    }

private:
    std::vector<std::pair<void *, size_t>> blocks_;
};

// Input: user pointer → primitive memory (reordered copy if needed).
memory input(const Reorder &r, const memory::desc &user, const void *p, Scratch &scratch) {
    memory um(user, engine(), const_cast<void *>(p));
    if (!r.needed) return um;
    memory pm = scratch.make(r.to);
    r.prim.execute(stream(), um, pm);
    return pm;
}
// Output: primitive memory to write into (the user buffer itself if no reorder).
memory output(const Reorder &r, const memory::desc &user, void *p, Scratch &scratch) {
    if (!r.needed) return memory(user, engine(), p);
    return scratch.make(r.from);
}
void finish_output(const Reorder &r, const memory::desc &user, memory &pm, void *p) {
    if (!r.needed) return;
    memory um(user, engine(), p);
    r.prim.execute(stream(), pm, um);
}

// ---------------- eltwise ----------------
struct EltAlg {
    dnnl::algorithm alg;
    float alpha, beta;
    bool use_dst;
};
bool elt_alg(Unary op, double a, EltAlg &out) {
    switch (op) {
    case Unary::relu: out = {dnnl::algorithm::eltwise_relu, 0.f, 0.f, false}; return true;
    case Unary::leaky_relu: out = {dnnl::algorithm::eltwise_relu, static_cast<float>(a), 0.f, false}; return true;
    case Unary::sigmoid: out = {dnnl::algorithm::eltwise_logistic_use_dst_for_bwd, 0.f, 0.f, true}; return true;
    case Unary::tanh: out = {dnnl::algorithm::eltwise_tanh_use_dst_for_bwd, 0.f, 0.f, true}; return true;
    case Unary::exp: out = {dnnl::algorithm::eltwise_exp_use_dst_for_bwd, 0.f, 0.f, true}; return true;
    case Unary::log: out = {dnnl::algorithm::eltwise_log, 0.f, 0.f, false}; return true;
    default: return false;
    }
}

struct EltFwd {
    dnnl::eltwise_forward::primitive_desc pd;
    dnnl::eltwise_forward prim;
    memory::desc md;
};
struct EltBwd {
    dnnl::eltwise_backward prim;
    memory::desc md;
};
Cache<EltFwd> g_elt_fwd;
Cache<EltBwd> g_elt_bwd;

dnnl::eltwise_forward::primitive_desc elt_fwd_pd(const EltAlg &e, const memory::desc &md) {
    return dnnl::eltwise_forward::primitive_desc(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, e.alg, md, e.alpha, e.beta), engine());
}

// ---------------- convolution ----------------
memory::dims conv_dims_x(const ConvGeom &g) { return {g.n, g.c_in, g.h, g.w}; }
memory::dims conv_dims_w(const ConvGeom &g) { return {g.c_out, g.c_in, g.kh, g.kw}; }
memory::dims conv_dims_y(const ConvGeom &g) { return {g.n, g.c_out, g.oh, g.ow}; }
Key conv_key(const ConvGeom &g, int64_t extra) {
    return {g.n, g.c_in, g.h, g.w, g.c_out, g.kh, g.kw, g.oh, g.ow, g.sh, g.sw, g.ph, g.pw, extra};
}
// Right/bottom padding making (h + pl + pr − kh) / sh + 1 = oh exactly (no
// smaller than 0: rows past the last window are simply not read).
int64_t exact_pad_r(int64_t h, int64_t oh, int64_t k, int64_t s, int64_t pl) {
    return std::max<int64_t>(0, (oh - 1) * s + k - h - pl);
}
memory::dims pad_r(const ConvGeom &g) {
    return {exact_pad_r(g.h, g.oh, g.kh, g.sh, g.ph), exact_pad_r(g.w, g.ow, g.kw, g.sw, g.pw)};
}

dnnl::convolution_forward::primitive_desc conv_fwd_pd(const ConvGeom &g, bool bias) {
    const tag act = conv_layout_any() ? tag::any : tag::nchw;
    const memory::desc x(conv_dims_x(g), dt::f32, act), w(conv_dims_w(g), dt::f32, tag::any),
        y(conv_dims_y(g), dt::f32, act), b({g.c_out}, dt::f32, tag::x);
    const memory::dims strides{g.sh, g.sw}, pl{g.ph, g.pw};
    if (bias)
        return {dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                x, w, b, y, strides, pl, pad_r(g)),
                engine()};
    return {dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, x, w,
                                            y, strides, pl, pad_r(g)),
            engine()};
}

struct ConvFwd {
    dnnl::convolution_forward prim;
    memory::desc ux, uw, uy, ub;
    Reorder rx, rw, ry;
};
struct ConvBwdData {
    dnnl::convolution_backward_data prim;
    memory::desc ugy, uw, ugx;
    Reorder rgy, rw, rgx;
};
struct ConvBwdWeights {
    dnnl::convolution_backward_weights prim;
    memory::desc ux, ugy, ugw, ugb;
    Reorder rx, rgy, rgw;
};
Cache<ConvFwd> g_conv_fwd;
Cache<ConvBwdData> g_conv_bwd_data;
Cache<ConvBwdWeights> g_conv_bwd_weights;

// ---------------- pooling ----------------
struct PoolFwd {
    dnnl::pooling_forward::primitive_desc pd;
    dnnl::pooling_forward prim;
    memory::desc x, y, ws;
};
struct PoolBwd {
    dnnl::pooling_backward prim;
    memory::desc x, y, ws;
};
Cache<PoolFwd> g_pool_fwd;
Cache<PoolBwd> g_pool_bwd;
struct PoolWorkspace {
    memory mem;
};
Key pool_key(PoolKind k, const PoolGeom &g) {
    return {static_cast<int64_t>(k), g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw};
}
dnnl::pooling_forward::primitive_desc pool_fwd_pd(PoolKind k, const PoolGeom &g) {
    const memory::desc x({g.n, g.c, g.h, g.w}, dt::f32, tag::nchw), y({g.n, g.c, g.oh, g.ow}, dt::f32, tag::nchw);
    const auto alg = k == PoolKind::max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_include_padding;
    const memory::dims pr{exact_pad_r(g.h, g.oh, g.kh, g.sh, g.ph), exact_pad_r(g.w, g.ow, g.kw, g.sw, g.pw)};
    return {dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, alg, x, y, {g.sh, g.sw}, {g.kh, g.kw},
                                        {g.ph, g.pw}, pr),
            engine()};
}

} // namespace

bool conv_layout_any() {
    static const bool any = [] {
        const char *v = std::getenv("VIGIL_NN_CONV_LAYOUT");
        return !(v && std::string(v) == "plain");
    }();
    return any;
}

// ---------------- eltwise ----------------
bool eltwise_forward(Unary op, const float *x, float *y, int64_t n, double a, double) {
    EltAlg e;
    if (!elt_alg(op, a, e)) return false;
    if (n == 0) return true;
    try {
        auto p = g_elt_fwd.get({static_cast<int64_t>(op), n, fbits(e.alpha)}, [&] {
            auto r = std::make_shared<EltFwd>();
            r->md = memory::desc({n}, dt::f32, tag::a);
            r->pd = elt_fwd_pd(e, r->md);
            r->prim = dnnl::eltwise_forward(r->pd);
            return r;
        });
        memory xm(p->md, engine(), const_cast<float *>(x)), ym(p->md, engine(), y);
        p->prim.execute(stream(), {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DST, ym}});
        stream().wait();
    } catch (const dnnl::error &err) {
        rethrow("eltwise forward", err);
    }
    return true;
}

bool eltwise_backward(Unary op, const float *x, const float *y, const float *gy, float *gx, int64_t n, double a, double) {
    EltAlg e;
    if (!elt_alg(op, a, e)) return false;
    if (n == 0) return true;
    try {
        auto p = g_elt_bwd.get({static_cast<int64_t>(op), n, fbits(e.alpha)}, [&] {
            auto r = std::make_shared<EltBwd>();
            r->md = memory::desc({n}, dt::f32, tag::a);
            const auto hint = elt_fwd_pd(e, r->md);
            r->prim = dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(
                dnnl::eltwise_backward::desc(e.alg, r->md, r->md, e.alpha, e.beta), engine(), hint));
            return r;
        });
        memory data(p->md, engine(), const_cast<float *>(e.use_dst ? y : x));
        memory gym(p->md, engine(), const_cast<float *>(gy)), gxm(p->md, engine(), gx);
        p->prim.execute(stream(), {{e.use_dst ? DNNL_ARG_DST : DNNL_ARG_SRC, data},
                                   {DNNL_ARG_DIFF_DST, gym},
                                   {DNNL_ARG_DIFF_SRC, gxm}});
        stream().wait();
    } catch (const dnnl::error &err) {
        rethrow("eltwise backward", err);
    }
    return true;
}

// ---------------- GEMM ----------------
void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b, float beta,
           float *c) {
    if (m == 0 || n == 0) return;
    const dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, ta ? m : k, b, tb ? k : n,
                                        beta, c, n);
    if (st != dnnl_success) sdk::fail(VIGIL_ERR_INTERNAL, "oneDNN sgemm failed (status " + std::to_string(st) + ")");
}

// ---------------- convolution ----------------
void conv_forward(const float *x, const float *w, const float *bias, float *y, const ConvGeom &g) {
    try {
        auto p = g_conv_fwd.get(conv_key(g, bias ? 1 : 0), [&] {
            auto r = std::make_shared<ConvFwd>();
            const auto pd = conv_fwd_pd(g, bias != nullptr);
            r->ux = memory::desc(conv_dims_x(g), dt::f32, tag::nchw);
            r->uw = memory::desc(conv_dims_w(g), dt::f32, tag::oihw);
            r->uy = memory::desc(conv_dims_y(g), dt::f32, tag::nchw);
            r->ub = memory::desc({g.c_out}, dt::f32, tag::x);
            r->rx.init(r->ux, pd.src_desc(), true);
            r->rw.init(r->uw, pd.weights_desc(), true);
            r->ry.init(r->uy, pd.dst_desc(), false);
            r->prim = dnnl::convolution_forward(pd);
            return r;
        });
        Scratch scratch;
        memory xm = input(p->rx, p->ux, x, scratch), wm = input(p->rw, p->uw, w, scratch),
               ym = output(p->ry, p->uy, y, scratch);
        std::unordered_map<int, memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}};
        if (bias) args.emplace(DNNL_ARG_BIAS, memory(p->ub, engine(), const_cast<float *>(bias)));
        p->prim.execute(stream(), args);
        finish_output(p->ry, p->uy, ym, y);
        stream().wait();
    } catch (const dnnl::error &err) {
        rethrow("convolution forward", err);
    }
}

void conv_backward_data(const float *gy, const float *w, float *gx, const ConvGeom &g) {
    try {
        auto p = g_conv_bwd_data.get(conv_key(g, 0), [&] {
            auto r = std::make_shared<ConvBwdData>();
            const auto hint = conv_fwd_pd(g, false);
            const tag act = conv_layout_any() ? tag::any : tag::nchw;
            const dnnl::convolution_backward_data::primitive_desc pd(
                dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct,
                                                      memory::desc(conv_dims_x(g), dt::f32, act),
                                                      memory::desc(conv_dims_w(g), dt::f32, tag::any),
                                                      memory::desc(conv_dims_y(g), dt::f32, act), {g.sh, g.sw},
                                                      {g.ph, g.pw}, pad_r(g)),
                engine(), hint);
            r->ugx = memory::desc(conv_dims_x(g), dt::f32, tag::nchw);
            r->uw = memory::desc(conv_dims_w(g), dt::f32, tag::oihw);
            r->ugy = memory::desc(conv_dims_y(g), dt::f32, tag::nchw);
            r->rgy.init(r->ugy, pd.diff_dst_desc(), true);
            r->rw.init(r->uw, pd.weights_desc(), true);
            r->rgx.init(r->ugx, pd.diff_src_desc(), false);
            r->prim = dnnl::convolution_backward_data(pd);
            return r;
        });
        Scratch scratch;
        memory gym = input(p->rgy, p->ugy, gy, scratch), wm = input(p->rw, p->uw, w, scratch),
               gxm = output(p->rgx, p->ugx, gx, scratch);
        p->prim.execute(stream(), {{DNNL_ARG_DIFF_DST, gym}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, gxm}});
        finish_output(p->rgx, p->ugx, gxm, gx);
        stream().wait();
    } catch (const dnnl::error &err) {
        rethrow("convolution backward data", err);
    }
}

void conv_backward_weights(const float *x, const float *gy, float *gw, float *gb, const ConvGeom &g) {
    try {
        auto p = g_conv_bwd_weights.get(conv_key(g, gb ? 1 : 0), [&] {
            auto r = std::make_shared<ConvBwdWeights>();
            const auto hint = conv_fwd_pd(g, gb != nullptr);
            const tag act = conv_layout_any() ? tag::any : tag::nchw;
            const memory::desc xd(conv_dims_x(g), dt::f32, act), wd(conv_dims_w(g), dt::f32, tag::any),
                yd(conv_dims_y(g), dt::f32, act), bd({g.c_out}, dt::f32, tag::x);
            const memory::dims strides{g.sh, g.sw}, pl{g.ph, g.pw};
            const auto desc = gb ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, xd, wd,
                                                                            bd, yd, strides, pl, pad_r(g))
                                 : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, xd, wd,
                                                                            yd, strides, pl, pad_r(g));
            const dnnl::convolution_backward_weights::primitive_desc pd(desc, engine(), hint);
            r->ux = memory::desc(conv_dims_x(g), dt::f32, tag::nchw);
            r->ugy = memory::desc(conv_dims_y(g), dt::f32, tag::nchw);
            r->ugw = memory::desc(conv_dims_w(g), dt::f32, tag::oihw);
            r->ugb = bd;
            r->rx.init(r->ux, pd.src_desc(), true);
            r->rgy.init(r->ugy, pd.diff_dst_desc(), true);
            r->rgw.init(r->ugw, pd.diff_weights_desc(), false);
            r->prim = dnnl::convolution_backward_weights(pd);
            return r;
        });
        Scratch scratch;
        memory xm = input(p->rx, p->ux, x, scratch), gym = input(p->rgy, p->ugy, gy, scratch),
               gwm = output(p->rgw, p->ugw, gw, scratch);
        std::unordered_map<int, memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, gym}, {DNNL_ARG_DIFF_WEIGHTS, gwm}};
        if (gb) args.emplace(DNNL_ARG_DIFF_BIAS, memory(p->ugb, engine(), gb));
        p->prim.execute(stream(), args);
        finish_output(p->rgw, p->ugw, gwm, gw);
        stream().wait();
    } catch (const dnnl::error &err) {
        rethrow("convolution backward weights", err);
    }
}


// ---------------- pooling ----------------
std::shared_ptr<void> pool_forward(PoolKind k, const float *x, float *y, const PoolGeom &g) {
    try {
        auto p = g_pool_fwd.get(pool_key(k, g), [&] {
            auto r = std::make_shared<PoolFwd>();
            r->pd = pool_fwd_pd(k, g);
            r->x = memory::desc({g.n, g.c, g.h, g.w}, dt::f32, tag::nchw);
            r->y = memory::desc({g.n, g.c, g.oh, g.ow}, dt::f32, tag::nchw);
            r->ws = r->pd.workspace_desc();
            r->prim = dnnl::pooling_forward(r->pd);
            return r;
        });
        auto ws = std::make_shared<PoolWorkspace>();
        std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(p->x, engine(), const_cast<float *>(x))},
                                             {DNNL_ARG_DST, memory(p->y, engine(), y)}};
        if (k == PoolKind::max) {
            ws->mem = memory(p->ws, engine());
            args.emplace(DNNL_ARG_WORKSPACE, ws->mem);
        }
        p->prim.execute(stream(), args);
        stream().wait();
        return ws;
    } catch (const dnnl::error &err) {
        rethrow("pooling forward", err);
    }
}

void pool_backward(PoolKind k, const float *gy, const std::shared_ptr<void> &wsv, float *gx, const PoolGeom &g) {
    try {
        auto p = g_pool_bwd.get(pool_key(k, g), [&] {
            auto r = std::make_shared<PoolBwd>();
            const auto hint = pool_fwd_pd(k, g);
            r->x = memory::desc({g.n, g.c, g.h, g.w}, dt::f32, tag::nchw);
            r->y = memory::desc({g.n, g.c, g.oh, g.ow}, dt::f32, tag::nchw);
            const auto alg = k == PoolKind::max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_include_padding;
            const memory::dims pr{exact_pad_r(g.h, g.oh, g.kh, g.sh, g.ph), exact_pad_r(g.w, g.ow, g.kw, g.sw, g.pw)};
            r->prim = dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(
                dnnl::pooling_backward::desc(alg, r->x, r->y, {g.sh, g.sw}, {g.kh, g.kw}, {g.ph, g.pw}, pr), engine(),
                hint));
            return r;
        });
        std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, memory(p->y, engine(), const_cast<float *>(gy))},
                                             {DNNL_ARG_DIFF_SRC, memory(p->x, engine(), gx)}};
        if (k == PoolKind::max) args.emplace(DNNL_ARG_WORKSPACE, static_cast<PoolWorkspace *>(wsv.get())->mem);
        p->prim.execute(stream(), args);
        stream().wait();
    } catch (const dnnl::error &err) {
        rethrow("pooling backward", err);
    }
}

} // namespace vigil::nn::detail::dnnl_ops
