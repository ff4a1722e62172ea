// cudnn_conv.cpp — convolution on cuDNN 9's legacy API: forward,
// backward-data and backward-weights (with the bias gradient), the three
// kernels every convolution and transposed convolution of the engine is
// made of (ops_layers.cpp expresses conv_transpose2d as backward-data).
//
// Geometry. ConvGeom describes the forward convolution with symmetric
// padding ph/pw and oh = (h + 2·ph − kh) / sh + 1, which is what cuDNN
// computes; when h + 2·ph − kh is not a multiple of sh the last padded rows
// are simply never read, on the cpu (oneDNN's shorter right padding) as
// here. A transposed convolution's output padding (< stride) only adds such
// rows to the backward-data result: no window reads them, so they get 0, as
// in the reference loops. Every plan checks that cuDNN's output size is
// g.oh × g.ow, so a convention mismatch fails loudly instead of reading out
// of bounds. Cross-correlation (no kernel flip), dilation 1, one group.
//
// Numerics and reproducibility. The convolution descriptors use
// CUDNN_FMA_MATH: CUDNN_DEFAULT_MATH lets cuDNN use TF32 tensor cores for
// float32 on Ampere and later, which would round inputs to 10 mantissa bits
// (cuBLAS is kept out of TF32 the same way). Algorithms come from cuDNN's
// heuristics (cudnnGet*Algorithm_v7), not from cudnnFind* (which times
// candidates and so may pick differently from run to run); the first
// candidate that cuDNN marks deterministic, that does not need tensor-op
// math, whose workspace query succeeds and whose workspace is at most
// kMaxWorkspace is used. If none qualifies, the classic deterministic
// algorithms are the fallback (forward IMPLICIT_GEMM, backward-data ALGO_1,
// backward-filter ALGO_1). The choice is cached per shape, so a training
// loop runs the same algorithm every step, and results repeat bit for bit.
// The bias is added with cudnnAddTensor and its gradient is
// cudnnConvolutionBackwardBias (a plain per-channel reduction, deterministic).
//
// Workspace: from the cuda backend's block cache (cudnn_common.hpp,
// Scratch), so the same sizes are recycled every step without cudaMalloc.
#include "cudnn_common.hpp"
#include "cudnn_ops.hpp"

#include "kernels.cuh"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace vigil::nn::detail::cudnn_ops {

using namespace cudnn;

namespace {

constexpr size_t kMaxWorkspace = size_t(512) << 20;  // 512 MiB

enum class Pass { forward, backward_data, backward_weights };

struct ConvPlan {
    explicit ConvPlan(const char *k) : x(k), y(k), bias(k), w(k), conv(k) {}
    TensorDesc x, y, bias;  // x [n, c_in, h, w], y [n, c_out, oh, ow], bias [1, c_out, 1, 1]
    FilterDesc w;           // [c_out, c_in, kh, kw]
    ConvDesc conv;
    int algo = 0;  // cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t of the pass
    size_t workspace = 0;
};

PlanCache<ConvPlan> g_plans;

template <class Perf> bool acceptable(const Perf &p) {
    return p.status == CUDNN_STATUS_SUCCESS && p.determinism == CUDNN_DETERMINISTIC &&
           p.mathType != CUDNN_TENSOR_OP_MATH && p.mathType != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
}

// The heuristics' deterministic candidates in cuDNN's order, then the
// fallback; the first one cuDNN can run within kMaxWorkspace wins. `never`
// lists the algorithms cudnn_ops_v9.h itself marks non-deterministic, kept
// out even if a perf entry claimed otherwise.
template <class Perf>
void choose(ConvPlan &p, const char *kernel, int max_count,
            const std::function<cudnnStatus_t(int, int *, Perf *)> &heuristics,
            const std::function<cudnnStatus_t(int, size_t *)> &workspace_size, int fallback,
            const std::vector<int> &never) {
    std::vector<Perf> perf(static_cast<size_t>(max_count > 0 ? max_count : 1));
    int got = 0;
    check(heuristics(static_cast<int>(perf.size()), &got, perf.data()), kernel, "algorithm heuristics");
    std::vector<int> candidates;
    for (int i = 0; i < got; ++i) {
        const Perf &q = perf[static_cast<size_t>(i)];
        const int a = static_cast<int>(q.algo);
        if (acceptable(q) && std::find(never.begin(), never.end(), a) == never.end()) candidates.push_back(a);
    }
    candidates.push_back(fallback);
    cudnnStatus_t last = CUDNN_STATUS_SUCCESS;
    for (int a : candidates) {
        size_t bytes = 0;
        last = workspace_size(a, &bytes);
        if (last == CUDNN_STATUS_SUCCESS && bytes <= kMaxWorkspace) {
            p.algo = a;
            p.workspace = bytes;
            return;
        }
    }
    if (last != CUDNN_STATUS_SUCCESS) check(last, kernel, "workspace size of the fallback algorithm");
    sdk::fail(VIGIL_ERR_OUT_OF_MEMORY, std::string("cuDNN ") + kernel + ": every deterministic algorithm needs more than " +
                                           std::to_string(kMaxWorkspace >> 20) + " MiB of workspace");
}

void choose_algorithm(ConvPlan &p, Pass pass, const char *kernel) {
    cudnnHandle_t h = handle();
    int max_count = 0;
    switch (pass) {
    case Pass::forward:
        check(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &max_count), kernel, "algorithm count");
        choose<cudnnConvolutionFwdAlgoPerf_t>(
            p, kernel, max_count,
            [&](int req, int *got, cudnnConvolutionFwdAlgoPerf_t *perf) {
                return cudnnGetConvolutionForwardAlgorithm_v7(h, p.x, p.w, p.conv, p.y, req, got, perf);
            },
            [&](int a, size_t *bytes) {
                return cudnnGetConvolutionForwardWorkspaceSize(h, p.x, p.w, p.conv, p.y,
                                                               static_cast<cudnnConvolutionFwdAlgo_t>(a), bytes);
            },
            CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, {});
        return;
    case Pass::backward_data:
        check(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &max_count), kernel, "algorithm count");
        choose<cudnnConvolutionBwdDataAlgoPerf_t>(
            p, kernel, max_count,
            [&](int req, int *got, cudnnConvolutionBwdDataAlgoPerf_t *perf) {
                return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w, p.y, p.conv, p.x, req, got, perf);
            },
            [&](int a, size_t *bytes) {
                return cudnnGetConvolutionBackwardDataWorkspaceSize(h, p.w, p.y, p.conv, p.x,
                                                                    static_cast<cudnnConvolutionBwdDataAlgo_t>(a), bytes);
            },
            CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, {CUDNN_CONVOLUTION_BWD_DATA_ALGO_0});
        return;
    case Pass::backward_weights:
        check(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &max_count), kernel, "algorithm count");
        choose<cudnnConvolutionBwdFilterAlgoPerf_t>(
            p, kernel, max_count,
            [&](int req, int *got, cudnnConvolutionBwdFilterAlgoPerf_t *perf) {
                return cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x, p.y, p.conv, p.w, req, got, perf);
            },
            [&](int a, size_t *bytes) {
                return cudnnGetConvolutionBackwardFilterWorkspaceSize(
                    h, p.x, p.y, p.conv, p.w, static_cast<cudnnConvolutionBwdFilterAlgo_t>(a), bytes);
            },
            CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1,
            {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3});
        return;
    }
}

std::shared_ptr<const ConvPlan> plan(Pass pass, const ConvGeom &g, const char *kernel) {
    const Key key{static_cast<int64_t>(pass), g.n, g.c_in, g.h, g.w, g.c_out, g.kh, g.kw, g.oh, g.ow, g.sh, g.sw, g.ph, g.pw};
    return g_plans.get(key, [&] {
        auto p = std::make_shared<ConvPlan>(kernel);
        set_nchw(p->x, g.n, g.c_in, g.h, g.w, kernel);
        set_nchw(p->y, g.n, g.c_out, g.oh, g.ow, kernel);
        set_nchw(p->bias, 1, g.c_out, 1, 1, kernel);
        check(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, dim(g.c_out, kernel),
                                         dim(g.c_in, kernel), dim(g.kh, kernel), dim(g.kw, kernel)),
              kernel, "cudnnSetFilter4dDescriptor");
        check(cudnnSetConvolution2dDescriptor(p->conv, dim(g.ph, kernel), dim(g.pw, kernel), dim(g.sh, kernel),
                                              dim(g.sw, kernel), 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
              kernel, "cudnnSetConvolution2dDescriptor");
        check(cudnnSetConvolutionMathType(p->conv, CUDNN_FMA_MATH), kernel, "cudnnSetConvolutionMathType");
        int n = 0, c = 0, oh = 0, ow = 0;
        check(cudnnGetConvolution2dForwardOutputDim(p->conv, p->x, p->w, &n, &c, &oh, &ow), kernel,
              "cudnnGetConvolution2dForwardOutputDim");
        if (n != g.n || c != g.c_out || oh != g.oh || ow != g.ow)
            sdk::fail(VIGIL_ERR_INTERNAL, std::string("cuDNN ") + kernel + ": cuDNN's output " + std::to_string(oh) + "x" +
                                              std::to_string(ow) + " differs from the engine's " + std::to_string(g.oh) +
                                              "x" + std::to_string(g.ow));
        choose_algorithm(*p, pass, kernel);
        return std::shared_ptr<const ConvPlan>(std::move(p));
    });
}

// The degenerate shapes the reference loops accept but cuDNN rejects (a
// zero-sized channel, spatial or kernel dimension): there is nothing to
// multiply, so outputs are the bias or zero.
bool no_products(const ConvGeom &g) {
    return g.n == 0 || g.c_in == 0 || g.h == 0 || g.w == 0 || g.c_out == 0 || g.kh == 0 || g.kw == 0;
}

void bias_forward(const float *bias, float *y, const ConvGeom &g, const char *kernel) {
    cudak::fill_f32(y, g.n * g.c_out * g.oh * g.ow, 0.f);
    if (!bias || g.n * g.c_out * g.oh * g.ow == 0) return;
    TensorDesc bd(kernel), yd(kernel);
    set_nchw(bd, 1, g.c_out, 1, 1, kernel);
    set_nchw(yd, g.n, g.c_out, g.oh, g.ow, kernel);
    const float one = 1.f;
    check(cudnnAddTensor(handle(), &one, bd, bias, &one, yd, y), kernel, "cudnnAddTensor");
}

void bias_backward(const float *gy, float *gb, const ConvGeom &g, const char *kernel) {
    if (g.n * g.c_out * g.oh * g.ow == 0) return cudak::fill_f32(gb, g.c_out, 0.f);
    TensorDesc bd(kernel), yd(kernel);
    set_nchw(bd, 1, g.c_out, 1, 1, kernel);
    set_nchw(yd, g.n, g.c_out, g.oh, g.ow, kernel);
    const float one = 1.f, zero = 0.f;
    check(cudnnConvolutionBackwardBias(handle(), &one, yd, gy, &zero, bd, gb), kernel, "cudnnConvolutionBackwardBias");
}

} // namespace

void conv_forward(const float *x, const float *w, const float *bias, float *y, const ConvGeom &g) {
    const char *kernel = "conv2d forward";
    if (no_products(g)) return bias_forward(bias, y, g, kernel);
    const auto p = plan(Pass::forward, g, kernel);
    Scratch ws(p->workspace);
    const float one = 1.f, zero = 0.f;
    check(cudnnConvolutionForward(handle(), &one, p->x, x, p->w, w, p->conv,
                                  static_cast<cudnnConvolutionFwdAlgo_t>(p->algo), ws.get(), ws.bytes(), &zero, p->y, y),
          kernel, "cudnnConvolutionForward");
    if (bias) check(cudnnAddTensor(handle(), &one, p->bias, bias, &one, p->y, y), kernel, "cudnnAddTensor");
}

void conv_backward_data(const float *gy, const float *w, float *gx, const ConvGeom &g) {
    const char *kernel = "conv2d backward data";
    if (no_products(g)) return cudak::fill_f32(gx, g.n * g.c_in * g.h * g.w, 0.f);
    const auto p = plan(Pass::backward_data, g, kernel);
    Scratch ws(p->workspace);
    const float one = 1.f, zero = 0.f;
    check(cudnnConvolutionBackwardData(handle(), &one, p->w, w, p->y, gy, p->conv,
                                       static_cast<cudnnConvolutionBwdDataAlgo_t>(p->algo), ws.get(), ws.bytes(), &zero,
                                       p->x, gx),
          kernel, "cudnnConvolutionBackwardData");
}

void conv_backward_weights(const float *x, const float *gy, float *gw, float *gb, const ConvGeom &g) {
    const char *kernel = "conv2d backward weights";
    if (no_products(g)) {
        cudak::fill_f32(gw, g.c_out * g.c_in * g.kh * g.kw, 0.f);
        if (gb) bias_backward(gy, gb, g, kernel);
        return;
    }
    const auto p = plan(Pass::backward_weights, g, kernel);
    Scratch ws(p->workspace);
    const float one = 1.f, zero = 0.f;
    check(cudnnConvolutionBackwardFilter(handle(), &one, p->x, x, p->y, gy, p->conv,
                                         static_cast<cudnnConvolutionBwdFilterAlgo_t>(p->algo), ws.get(), ws.bytes(),
                                         &zero, p->w, gw),
          kernel, "cudnnConvolutionBackwardFilter");
    if (gb)
        check(cudnnConvolutionBackwardBias(handle(), &one, p->y, gy, &zero, p->bias, gb), kernel,
              "cudnnConvolutionBackwardBias");
}

} // namespace vigil::nn::detail::cudnn_ops
