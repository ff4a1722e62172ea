// optim.cpp — Adam/AdamW, SGD and MultiStepLR (formulas in optim.hpp).
#include "autograd.hpp"
#include "backend.hpp"

#include <vigil/nn/optim.hpp>

#include <algorithm>

namespace vigil::nn {

Optimizer::Optimizer(std::vector<Tensor> params, double lr) : params_(std::move(params)), lr_(lr) {
    for (const Tensor &p : params_)
        if (!p.defined() || !p.is_leaf() || !p.requires_grad())
            sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "optimiser parameters must be leaf tensors that require grad");
    if (!(lr >= 0)) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "learning rate must be non-negative");
}
void Optimizer::zero_grad() {
    for (Tensor &p : params_) p.zero_grad();
}

namespace {
void check_grad(const Tensor &p) {
    const Tensor g = p.grad();
    if (g.shape() != p.shape() || g.device() != p.device() || g.dtype() != p.dtype())
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "gradient " + g.describe() + " does not match parameter " + p.describe());
}
} // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions &o) : Optimizer(std::move(params), o.lr), o_(o) {
    if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.eps >= 0 && o.weight_decay >= 0))
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Adam: betas must be in [0, 1), eps and weight decay non-negative");
    m_.resize(params_.size());
    v_.resize(params_.size());
}

void Adam::step() {
    NoGrad ng;
    ++t_;
    for (size_t i = 0; i < params_.size(); ++i) {
        Tensor &p = params_[i];
        if (!p.grad().defined()) continue;
        check_grad(p);
        if (!m_[i].defined() || m_[i].device() != p.device()) {
            m_[i] = Tensor::zeros(p.shape(), p.dtype(), p.device());
            v_[i] = Tensor::zeros(p.shape(), p.dtype(), p.device());
        }
        detail::kernels(p.device()).adam_step(p, p.grad(), m_[i], v_[i], lr_, o_.beta1, o_.beta2, o_.eps,
                                              o_.weight_decay, o_.decoupled, t_);
    }
}

SGD::SGD(std::vector<Tensor> params, const SgdOptions &o) : Optimizer(std::move(params), o.lr), o_(o) {
    if (!(o.momentum >= 0 && o.weight_decay >= 0) || (o.nesterov && (o.momentum <= 0 || o.dampening != 0)))
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "SGD: momentum and weight decay non-negative; nesterov needs momentum and no dampening");
    buf_.resize(params_.size());
}

void SGD::step() {
    NoGrad ng;
    for (size_t i = 0; i < params_.size(); ++i) {
        Tensor &p = params_[i];
        if (!p.grad().defined()) continue;
        check_grad(p);
        Tensor *buf = nullptr;
        bool first = false;
        if (o_.momentum != 0) {
            if (!buf_[i].defined() || buf_[i].device() != p.device()) {
                buf_[i] = Tensor::empty(p.shape(), p.dtype(), p.device());
                first = true;
            }
            buf = &buf_[i];
        }
        detail::kernels(p.device()).sgd_step(p, p.grad(), buf, lr_, o_.momentum, o_.dampening, o_.weight_decay,
                                             o_.nesterov, first);
    }
}

MultiStepLR::MultiStepLR(Optimizer &opt, std::vector<int64_t> milestones, double gamma)
    : opt_(opt), milestones_(std::move(milestones)), gamma_(gamma) {
    std::sort(milestones_.begin(), milestones_.end());
}
void MultiStepLR::step() {
    ++epoch_;
    // A milestone listed k times multiplies by gamma^k, as torch's Counter does.
    for (int64_t m : milestones_)
        if (m == epoch_) opt_.set_lr(opt_.lr() * gamma_);
}

} // namespace vigil::nn
