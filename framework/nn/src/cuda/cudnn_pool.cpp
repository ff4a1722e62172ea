// cudnn_pool.cpp — max and average pooling on cuDNN 9's legacy API.
//
// Semantics, matching the cpu backend (reference.hpp's pool2d_*):
// - Windows start at oy·sh − ph with symmetric padding and
//   oh = (h + 2·ph − kh) / sh + 1 (checked against cuDNN's own output size).
//   Rows past the last window are never read, as with oneDNN's shorter
//   right padding on the cpu. ops_layers.cpp allows padding of at most half
//   the window, so no window lies entirely in the padding.
// - Max: padding never wins (cuDNN ignores padded positions for max, as the
//   reference does); NaN propagates (CUDNN_PROPAGATE_NAN, as the
//   reference's isnan rule). CUDNN_POOLING_MAX_DETERMINISTIC, because the
//   plain CUDNN_POOLING_MAX backward may use atomics when windows overlap.
// - Average: CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, i.e. the window
//   sum over kh·kw, padding counted as zeros (torch's count_include_pad).
//
// Workspace. cudnnPoolingBackward takes x and y (it finds each window's
// maximum again from them) instead of oneDNN's index workspace, so
// pool_forward returns both, detached (sharing storage, no autograd
// history: the workspace lives in the backward closure of y, and a handle
// on y's own history would be a reference cycle). Nothing in the engine
// writes into an op's input or output after the op, so they still hold the
// forward's values when backward runs. Average pooling keeps them too —
// the call takes the pointers whatever the mode.
#include "cudnn_common.hpp"
#include "cudnn_ops.hpp"

#include "kernels.cuh"

#include <string>

namespace vigil::nn::detail::cudnn_ops {

using namespace cudnn;

namespace {

struct PoolPlan {
    explicit PoolPlan(const char *k) : x(k), y(k), pool(k) {}
    TensorDesc x, y;  // [n, c, h, w], [n, c, oh, ow]
    PoolDesc pool;
};

PlanCache<PoolPlan> g_plans;

struct PoolSaved {
    Tensor x, y;
};

std::shared_ptr<const PoolPlan> plan(PoolKind k, const PoolGeom &g, const char *kernel) {
    const Key key{static_cast<int64_t>(k), g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw};
    return g_plans.get(key, [&] {
        auto p = std::make_shared<PoolPlan>(kernel);
        set_nchw(p->x, g.n, g.c, g.h, g.w, kernel);
        set_nchw(p->y, g.n, g.c, g.oh, g.ow, kernel);
        const cudnnPoolingMode_t mode =
            k == PoolKind::max ? CUDNN_POOLING_MAX_DETERMINISTIC : CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
        check(cudnnSetPooling2dDescriptor(p->pool, mode, CUDNN_PROPAGATE_NAN, dim(g.kh, kernel), dim(g.kw, kernel),
                                          dim(g.ph, kernel), dim(g.pw, kernel), dim(g.sh, kernel), dim(g.sw, kernel)),
              kernel, "cudnnSetPooling2dDescriptor");
        int n = 0, c = 0, oh = 0, ow = 0;
        check(cudnnGetPooling2dForwardOutputDim(p->pool, p->x, &n, &c, &oh, &ow), kernel,
              "cudnnGetPooling2dForwardOutputDim");
        if (n != g.n || c != g.c || oh != g.oh || ow != g.ow)
            sdk::fail(VIGIL_ERR_INTERNAL, std::string("cuDNN ") + kernel + ": cuDNN's output " + std::to_string(oh) + "x" +
                                              std::to_string(ow) + " differs from the engine's " + std::to_string(g.oh) +
                                              "x" + std::to_string(g.ow));
        return std::shared_ptr<const PoolPlan>(std::move(p));
    });
}

float *data(const Tensor &t) {
    if (t.dtype() != DType::f32) sdk::fail(VIGIL_ERR_UNSUPPORTED, "cuda kernels take float32, got " + t.describe());
    return static_cast<float *>(t.raw());
}

} // namespace

std::shared_ptr<void> pool_forward(PoolKind k, const Tensor &x, Tensor &y, const PoolGeom &g) {
    const char *kernel = k == PoolKind::max ? "max pooling forward" : "average pooling forward";
    auto saved = std::make_shared<PoolSaved>();
    saved->x = x.detach();
    saved->y = y.detach();
    if (y.numel() == 0) return saved;
    const auto p = plan(k, g, kernel);
    const float one = 1.f, zero = 0.f;
    check(cudnnPoolingForward(handle(), p->pool, &one, p->x, data(x), &zero, p->y, data(y)), kernel,
          "cudnnPoolingForward");
    return saved;
}

void pool_backward(PoolKind k, const Tensor &gy, const std::shared_ptr<void> &workspace, Tensor &gx, const PoolGeom &g) {
    const char *kernel = k == PoolKind::max ? "max pooling backward" : "average pooling backward";
    if (gx.numel() == 0) return;
    float *gxp = data(gx);
    if (gy.numel() == 0) return cudak::fill_f32(gxp, gx.numel(), 0.f);
    const auto *saved = static_cast<const PoolSaved *>(workspace.get());
    if (!saved) sdk::fail(VIGIL_ERR_INTERNAL, std::string("cuDNN ") + kernel + ": no workspace from the forward pass");
    const auto p = plan(k, g, kernel);
    const float one = 1.f, zero = 0.f;
    check(cudnnPoolingBackward(handle(), p->pool, &one, p->y, data(saved->y), p->y, data(gy), p->x, data(saved->x), &zero,
                               p->x, gxp),
          kernel, "cudnnPoolingBackward");
}

} // namespace vigil::nn::detail::cudnn_ops
