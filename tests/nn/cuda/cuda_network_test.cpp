// cuda_network_test.cpp — whole networks on cuda against the cpu: Deep
// SVDD's LeNet-type autoencoders (convolutions without bias, batch norm
// without affine in 2d and 1d, leaky ReLU, max pooling, linear layers,
// nearest upsampling, transposed convolutions, sigmoid), one training step
// each: loss, every parameter's gradient, the batch-norm running statistics
// and the parameters after one Adam step. Also: a cuda training step
// repeats bit for bit (deterministic algorithms, fixed reduction orders).
// Without a usable device every case skips with a message.
#include "cuda_test_util.hpp"

#include <cstdint>
#include <string>
#include <utility>

using namespace nt_cuda;

namespace {

struct Step {
    double loss = 0;
    std::vector<std::vector<double>> grads, buffers, params_after;
};

// The same seeded network (initialised on the cpu, then moved to d), an MSE
// reconstruction loss, backward, one Adam step.
template <class Net> Step train_step(Device d, const Tensor &x, uint64_t seed, double lr) {
    Generator gen(seed);
    Net net(true, gen);
    net.to(d);
    const Tensor xd = x.to(d);
    Tensor loss = mse_loss(net(xd), xd);
    loss.backward();
    Step r;
    r.loss = loss.item();
    for (const Tensor &p : net.parameters()) r.grads.push_back(p.grad().to_vector<double>());
    for (const std::pair<std::string, Tensor> &b : net.named_buffers()) r.buffers.push_back(b.second.to_vector<double>());
    Adam opt(net.parameters(), AdamOptions{lr, 0.9, 0.999, 1e-8, 0.0, false});
    opt.step();
    for (const Tensor &p : net.parameters()) r.params_after.push_back(p.to_vector<double>());
    return r;
}

// Adam's first step moves each parameter by lr·g/(|g| + ε), i.e. by ±lr
// wherever |g| ≫ ε: the parameters agree to float rounding where both
// backends agree on the gradient's sign. Where the cpu gradient is within
// the gradient tolerance of 0 its sign is not pinned down, and those
// elements may differ by up to the two steps' difference, 2·lr.
void check_adam_step(const std::vector<double> &p_cuda, const std::vector<double> &p_cpu, const std::vector<double> &g_cpu,
                     double lr, double grad_tol) {
    REQUIRE(p_cuda.size() == p_cpu.size());
    const double gmax = max_abs(g_cpu, 0.0), pscale = max_abs(p_cpu);
    size_t bad = 0;
    for (size_t j = 0; j < p_cpu.size(); ++j) {
        double allowed = 1e-5 * pscale + 1e-5 * std::abs(p_cpu[j]);
        if (std::abs(g_cpu[j]) <= 2 * grad_tol * gmax) allowed += 2 * lr;
        if (!(std::abs(p_cuda[j] - p_cpu[j]) <= allowed)) {
            if (bad == 0)
                MESSAGE("element " << j << ": cuda " << p_cuda[j] << " cpu " << p_cpu[j] << " (gradient " << g_cpu[j] << ")");
            ++bad;
        }
    }
    CHECK(bad == 0);
}

// Tolerances: loss 1e-5 relative; gradients 2e-4 relative to the largest
// gradient of the parameter (float rounding accumulated over ~12 layers and
// the batch-norm backward's cancellations; oneDNN against the reference
// loops differs by up to 2e-5 on these networks); running statistics 1e-5;
// parameters after the step as in check_adam_step.
template <class Net> void compare_networks(const char *name, const Shape &input, uint64_t seed) {
    INFO("network " << std::string(name));
    Generator g(seed + 100);
    const Tensor x = r32(input, g, 0, 1);
    const double lr = 1e-3, grad_tol = 2e-4;
    const Step c = train_step<Net>(Device::cpu, x, seed, lr), k = train_step<Net>(Device::cuda, x, seed, lr);
    CHECK(std::abs(k.loss - c.loss) <= 1e-5 * std::abs(c.loss));
    REQUIRE(k.grads.size() == c.grads.size());
    for (size_t i = 0; i < c.grads.size(); ++i) {
        INFO("parameter " << i);
        CHECK(closeness(k.grads[i], c.grads[i], grad_tol * max_abs(c.grads[i], 1e-12), grad_tol) <= 1.0);
        check_adam_step(k.params_after[i], c.params_after[i], c.grads[i], lr, grad_tol);
    }
    REQUIRE(k.buffers.size() == c.buffers.size());
    for (size_t i = 0; i < c.buffers.size(); ++i) {
        INFO("buffer " << i);
        CHECK(closeness(k.buffers[i], c.buffers[i], 1e-5 * max_abs(c.buffers[i]), 1e-5) <= 1.0);
    }
}

} // namespace

TEST_CASE("cuda vs cpu: LeNet autoencoders, forward, backward and one Adam step") {
    if (!device_or_skip()) return;
    compare_networks<LeNetMnist>("LeNetMnist autoencoder", {8, 1, 28, 28}, 7);
    compare_networks<LeNetCifar>("LeNetCifar autoencoder", {4, 3, 32, 32}, 8);
}

TEST_CASE("cuda: a training step repeats bit for bit") {
    if (!device_or_skip()) return;
    Generator g(9);
    const Tensor x = r32({8, 1, 28, 28}, g, 0, 1);
    const Step a = train_step<LeNetMnist>(Device::cuda, x, 7, 1e-3), b = train_step<LeNetMnist>(Device::cuda, x, 7, 1e-3);
    CHECK(a.loss == b.loss);
    CHECK(a.grads == b.grads);
    CHECK(a.buffers == b.buffers);
    CHECK(a.params_after == b.params_after);
}
