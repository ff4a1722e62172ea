// optim_test.cpp — optimiser updates against the torch.optim formulas
// computed by hand, learning-rate milestones, and convergence.
#include "nn_test_util.hpp"

#include <cmath>

using namespace nt;

namespace {
// One parameter p with loss ½ Σ c_i p_i², so the gradient is c ∘ p.
Tensor quad_loss(const Tensor &p, const Tensor &c) { return sum(c * p * p) * 0.5; }
} // namespace

TEST_CASE("Adam and AdamW follow torch.optim step by step") {
    for (bool decoupled : {false, true}) {
        INFO((decoupled ? "AdamW" : "Adam"));
        const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.05;
        Tensor p = vals({1.0, -2.0}, {2}).requires_grad_();
        const Tensor c = vals({1.0, 3.0}, {2});
        AdamOptions o;
        o.lr = lr;
        o.weight_decay = wd;
        o.decoupled = decoupled;
        Adam opt({p}, o);
        std::vector<double> ref{1.0, -2.0}, m(2, 0), v(2, 0);
        const std::vector<double> cv{1.0, 3.0};
        for (int t = 1; t <= 5; ++t) {
            opt.zero_grad();
            quad_loss(p, c).backward();
            opt.step();
            for (size_t i = 0; i < 2; ++i) {
                double g = cv[i] * ref[i];
                if (decoupled)
                    ref[i] *= 1 - lr * wd;
                else
                    g += wd * ref[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
                ref[i] -= lr / bc1 * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + eps);
            }
            check_close(p, ref, 1e-12, 1e-10);
        }
        CHECK(opt.steps() == 5);
    }
}

TEST_CASE("SGD with momentum, dampening, nesterov and weight decay") {
    struct Case {
        double momentum, dampening, wd;
        bool nesterov;
    };
    for (const Case cs : {Case{0, 0, 0, false}, Case{0.9, 0, 0.01, false}, Case{0.9, 0.5, 0, false}, Case{0.8, 0, 0.1, true}}) {
        INFO("momentum " << cs.momentum << " dampening " << cs.dampening << " wd " << cs.wd << " nesterov " << cs.nesterov);
        const double lr = 0.05;
        Tensor p = vals({1.0, -2.0}, {2}).requires_grad_();
        const Tensor c = vals({1.0, 3.0}, {2});
        SgdOptions o;
        o.lr = lr;
        o.momentum = cs.momentum;
        o.dampening = cs.dampening;
        o.weight_decay = cs.wd;
        o.nesterov = cs.nesterov;
        SGD opt({p}, o);
        std::vector<double> ref{1.0, -2.0}, buf(2, 0);
        const std::vector<double> cv{1.0, 3.0};
        for (int t = 1; t <= 4; ++t) {
            opt.zero_grad();
            quad_loss(p, c).backward();
            opt.step();
            for (size_t i = 0; i < 2; ++i) {
                double g = cv[i] * ref[i] + cs.wd * ref[i];
                if (cs.momentum != 0) {
                    buf[i] = t == 1 ? g : cs.momentum * buf[i] + (1 - cs.dampening) * g;
                    g = cs.nesterov ? g + cs.momentum * buf[i] : buf[i];
                }
                ref[i] -= lr * g;
            }
            check_close(p, ref, 1e-12, 1e-10);
        }
    }
}

TEST_CASE("MultiStepLR multiplies the rate at each milestone") {
    Tensor p = vals({1}, {1}).requires_grad_();
    Adam opt({p}, AdamOptions{});
    MultiStepLR sched(opt, {2, 4}, 0.1);
    std::vector<double> lrs;
    for (int e = 0; e < 6; ++e) {
        lrs.push_back(opt.lr());
        sched.step();
    }
    check_close(vals(lrs, {6}), {1e-3, 1e-3, 1e-4, 1e-4, 1e-5, 1e-5}, 1e-15);
}

TEST_CASE("optimisers skip parameters without gradients and reject bad settings") {
    Tensor a = vals({1}, {1}).requires_grad_(), b = vals({5}, {1}).requires_grad_();
    SGD opt({a, b}, SgdOptions{0.5});
    sum(a * 2.0).backward();
    opt.step();
    check_close(a, {0});
    check_close(b, {5});
    CHECK(error_code([&] { SGD bad({vals({1}, {1})}); }) == VIGIL_ERR_INVALID_ARGUMENT);  // no requires_grad
    AdamOptions o;
    o.beta1 = 1.0;
    CHECK(error_code([&] { Adam bad({a}, o); }) == VIGIL_ERR_INVALID_ARGUMENT);
}

TEST_CASE("Adam fits a linear regression") {
    Generator g(1);
    const Tensor x = rand_t({64, 3}, g, -1, 1, DType::f32);
    const Tensor w_true = vals({1.5, -2.0, 0.5}, {1, 3}, DType::f32);
    const Tensor y = linear(x, w_true) + 0.3;
    Linear fc(3, 1, true, g);
    Adam opt(fc.parameters(), AdamOptions{0.05});
    double loss = 0;
    for (int it = 0; it < 400; ++it) {
        opt.zero_grad();
        Tensor l = mse_loss(fc(x), y);
        l.backward();
        opt.step();
        loss = l.item();
    }
    CHECK(loss < 1e-6);
    check_close(fc.weight, {1.5, -2.0, 0.5}, 1e-3, 0);
    check_close(fc.bias, {0.3}, 1e-3, 0);
}
