// optim.hpp — optimisers and learning-rate schedules.
//
// Updates follow torch.optim (1.13, single-tensor path) step for step, so
// settings from reference code (REFERENCE-SETTINGS.md) mean the same here:
//   Adam:  g ← g + wd·p (L2, coupled); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
//          p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)
//   AdamW: p ← p·(1 − lr·wd) first (decoupled), then Adam without the L2 term.
//   SGD:   g ← g + wd·p; b ← g (first step) or μ b + (1−dampening) g;
//          g ← g + μ b (nesterov) or b; p ← p − lr·g
// Each update is one fused kernel per parameter on its device. Parameters
// without a gradient (not reached by backward) are skipped, as torch does.
// step() runs under NoGrad.
#pragma once

#include <vigil/nn/tensor.hpp>

#include <cstdint>
#include <vector>

namespace vigil::nn {

class Optimizer {
public:
    Optimizer(std::vector<Tensor> params, double lr);
    virtual ~Optimizer() = default;
    virtual void step() = 0;
    void zero_grad();
    double lr() const { return lr_; }
    void set_lr(double lr) { lr_ = lr; }
    const std::vector<Tensor> &params() const { return params_; }

protected:
    std::vector<Tensor> params_;
    double lr_;
};

struct AdamOptions {
    double lr = 1e-3;
    double beta1 = 0.9, beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0.0;
    bool decoupled = false;  // true = AdamW
};

class Adam : public Optimizer {
public:
    Adam(std::vector<Tensor> params, const AdamOptions &o = {});
    void step() override;
    int64_t steps() const { return t_; }
    const AdamOptions &options() const { return o_; }

private:
    AdamOptions o_;
    std::vector<Tensor> m_, v_;
    int64_t t_ = 0;
};

// AdamW with torch's default weight decay 1e-2.
inline AdamOptions adamw_options(double lr = 1e-3, double weight_decay = 1e-2) {
    AdamOptions o;
    o.lr = lr;
    o.weight_decay = weight_decay;
    o.decoupled = true;
    return o;
}

struct SgdOptions {
    double lr = 1e-2;
    double momentum = 0.0;
    double dampening = 0.0;
    double weight_decay = 0.0;
    bool nesterov = false;
};

class SGD : public Optimizer {
public:
    SGD(std::vector<Tensor> params, const SgdOptions &o = {});
    void step() override;

private:
    SgdOptions o_;
    std::vector<Tensor> buf_;
};

// Multiplies the optimiser's learning rate by gamma when the epoch count
// reaches each milestone (torch.optim.lr_scheduler.MultiStepLR): call step()
// once after every epoch.
class MultiStepLR {
public:
    MultiStepLR(Optimizer &opt, std::vector<int64_t> milestones, double gamma = 0.1);
    void step();
    int64_t epoch() const { return epoch_; }

private:
    Optimizer &opt_;
    std::vector<int64_t> milestones_;
    double gamma_;
    int64_t epoch_ = 0;
};

} // namespace vigil::nn
