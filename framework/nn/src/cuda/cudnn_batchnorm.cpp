// cudnn_batchnorm.cpp — batch normalisation of x viewed as [n, c, s]
// (1d: s = 1; 2d: s = H·W) on cuDNN 9's legacy API, CUDNN_BATCHNORM_SPATIAL
// on an NCHW descriptor [n, c, s, 1] (statistics per channel over n and s).
//
// Why not cudnnBatchNormalizationForwardTraining. The engine's contract
// (backend.hpp) is that training writes the batch mean and the *biased*
// variance into mean/var; ops_layers.cpp then updates the running
// statistics itself (with the unbiased variance). cuDNN's training call
// returns either running averages (of the unbiased variance, blended with
// the previous value) or the saved mean and 1/√(var + ε) — the biased
// variance would have to be recovered by rescaling or by 1/inv² − ε, which
// loses precision when var ≪ ε. So the statistics come from bn_stats
// (batchnorm_kernels.cu: two passes in double, exactly reference.hpp's
// bn_stats) and the normalisation y = γ·(x − mean)/√(var + ε) + β is
// cudnnBatchNormalizationForwardInference with those statistics, in training
// as in evaluation. cuDNN never sees or updates running statistics.
//
// Backward (training): cudnnBatchNormalizationBackward through the batch
// statistics, given the forward's mean and 1/√(var + ε) as its saved
// statistics (so forward and backward use the same numbers). It computes
// the γ and β gradients unconditionally; when the caller does not want them
// they go to scratch. Backward with constant statistics (evaluation mode,
// global_stats) has no cuDNN call — the legacy backward always
// differentiates through the batch statistics — and runs in
// bn_backward_global (batchnorm_kernels.cu).
//
// Without γ/β (affine = false, or only one of them) cuDNN still needs scale
// and bias: per-channel ones and zeros kept on the device
// (cudnn_common.hpp). ε is passed through unchanged (cuDNN 9's minimum,
// CUDNN_BN_MIN_EPSILON, is 0).
#include "cudnn_common.hpp"
#include "cudnn_ops.hpp"

#include "kernels.cuh"

namespace vigil::nn::detail::cudnn_ops {

using namespace cudnn;

namespace {

struct BnPlan {
    explicit BnPlan(const char *k) : data(k), param(k) {}
    TensorDesc data;   // x, y, gy, gx: [n, c, s, 1]
    TensorDesc param;  // scale, bias, mean, variance and their gradients: [1, c, 1, 1]
};

PlanCache<BnPlan> g_plans;

std::shared_ptr<const BnPlan> plan(int64_t n, int64_t c, int64_t s, const char *kernel) {
    return g_plans.get({n, c, s}, [&] {
        auto p = std::make_shared<BnPlan>(kernel);
        set_nchw(p->data, n, c, s, 1, kernel);
        // The layout cuDNN derives for SPATIAL mode is [1, c, 1, 1]; deriving
        // it (rather than writing it down) keeps the two in step.
        check(cudnnDeriveBNTensorDescriptor(p->param, p->data, CUDNN_BATCHNORM_SPATIAL), kernel,
              "cudnnDeriveBNTensorDescriptor");
        return std::shared_ptr<const BnPlan>(std::move(p));
    });
}

} // namespace

void bn_forward_train(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *var,
                      int64_t n, int64_t c, int64_t s, double eps) {
    cudak::bn_stats(x, mean, var, n, c, s);
    bn_forward_eval(x, gamma, beta, mean, var, y, n, c, s, eps);
}

void bn_forward_eval(const float *x, const float *gamma, const float *beta, const float *mean, const float *var,
                     float *y, int64_t n, int64_t c, int64_t s, double eps) {
    const char *kernel = "batch norm forward";
    if (n == 0 || c == 0 || s == 0) return;
    const auto p = plan(n, c, s, kernel);
    const float one = 1.f, zero = 0.f;
    check(cudnnBatchNormalizationForwardInference(handle(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, p->data, x, p->data, y,
                                                  p->param, gamma ? gamma : channel_ones(c),
                                                  beta ? beta : channel_zeros(c), mean, var, eps),
          kernel, "cudnnBatchNormalizationForwardInference");
}

void bn_backward(const float *x, const float *gy, const float *gamma, const float *mean, const float *var, float *gx,
                 float *ggamma, float *gbeta, int64_t n, int64_t c, int64_t s, double eps, bool global_stats) {
    const char *kernel = "batch norm backward";
    if (c == 0) return;
    if (global_stats || n == 0 || s == 0)  // (empty batch: zero parameter gradients, nothing else to write)
        return cudak::bn_backward_global(x, gy, gamma, mean, var, eps, gx, ggamma, gbeta, n, c, s);
    const auto p = plan(n, c, s, kernel);
    Scratch inv_std(static_cast<size_t>(c) * sizeof(float));
    cudak::bn_inv_std(var, eps, inv_std.f32(), c);
    // Separate buffers for unwanted gradients: cuDNN may read its parameter
    // gradients back while computing gx, so the two must not alias.
    Scratch unwanted_g(ggamma ? 0 : static_cast<size_t>(c) * sizeof(float));
    Scratch unwanted_b(gbeta ? 0 : static_cast<size_t>(c) * sizeof(float));
    const float one = 1.f, zero = 0.f;
    check(cudnnBatchNormalizationBackward(handle(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, p->data, x,
                                          p->data, gy, p->data, gx, p->param, gamma ? gamma : channel_ones(c),
                                          ggamma ? ggamma : unwanted_g.f32(), gbeta ? gbeta : unwanted_b.f32(), eps,
                                          mean, inv_std.f32()),
          kernel, "cudnnBatchNormalizationBackward");
}

} // namespace vigil::nn::detail::cudnn_ops
