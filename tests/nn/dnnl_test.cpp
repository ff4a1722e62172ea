// dnnl_test.cpp — the f32 cpu paths that run on oneDNN agree with the
// reference loops (which the finite-difference checks validate in f64), for
// values and gradients; f32 and f64 gradients agree on a whole network.
#include "nn_test_util.hpp"

#include "framework/nn/src/backend.hpp"

using namespace nt;

namespace {

struct Result {
    std::vector<double> out;
    std::vector<std::vector<double>> grads;
};

Result run(const Fn &f, const std::vector<Tensor> &inputs_in, bool reference) {
    vigil::nn::detail::set_cpu_reference_mode(reference);
    std::vector<Tensor> inputs;
    for (const Tensor &t : inputs_in) inputs.push_back(t.detach().clone().requires_grad_());
    Tensor out = f(inputs);
    Generator g(77);
    const Tensor R = rand_t(out.shape(), g, -1, 1, DType::f32);
    sum(out * R).backward();
    Result r;
    r.out = out.to_vector<double>();
    for (const Tensor &t : inputs) r.grads.push_back(t.grad().defined() ? t.grad().to_vector<double>() : std::vector<double>());
    vigil::nn::detail::set_cpu_reference_mode(false);
    return r;
}

void agree(const std::string &name, const Fn &f, const std::vector<Tensor> &inputs, double tol = 2e-4) {
    INFO("op: " << name);
    const Result a = run(f, inputs, false), b = run(f, inputs, true);
    double scale = 1e-3;
    for (double v : b.out) scale = std::max(scale, std::abs(v));
    CHECK(closeness(a.out, b.out, tol * scale, tol) <= 1.0);
    for (size_t i = 0; i < a.grads.size(); ++i) {
        INFO("gradient of input " << i);
        double gs = 1e-3;
        for (double v : b.grads[i]) gs = std::max(gs, std::abs(v));
        CHECK(closeness(a.grads[i], b.grads[i], tol * gs, tol) <= 1.0);
    }
}

Tensor rand32(const Shape &s, Generator &g, double lo = -1, double hi = 1) { return rand_t(s, g, lo, hi, DType::f32); }

} // namespace

TEST_CASE("oneDNN vs reference: convolutions") {
    Generator g(1);
    agree("conv 1->8 5x5 pad 2 (LeNet)", [](auto &in) { return conv2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 2)); },
          {rand32({4, 1, 28, 28}, g), rand32({8, 1, 5, 5}, g)});
    agree("conv 8->4 5x5 pad 2", [](auto &in) { return conv2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 2)); },
          {rand32({4, 8, 14, 14}, g), rand32({4, 8, 5, 5}, g)});
    agree("conv 3x3 stride 2 pad 1 bias", [](auto &in) { return conv2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1)); },
          {rand32({3, 16, 9, 9}, g), rand32({32, 16, 3, 3}, g), rand32({32}, g)});
    agree("conv 1x1", [](auto &in) { return conv2d(in[0], in[1], Tensor(), {}); }, {rand32({2, 16, 8, 8}, g), rand32({8, 16, 1, 1}, g)});
    agree("deconv 2->4 5x5 pad 2", [](auto &in) { return conv_transpose2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 2)); },
          {rand32({4, 2, 8, 8}, g), rand32({2, 4, 5, 5}, g)});
    agree("deconv 4->8 5x5 pad 3", [](auto &in) { return conv_transpose2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 3)); },
          {rand32({4, 4, 16, 16}, g), rand32({4, 8, 5, 5}, g)});
    agree("deconv stride 2 output pad 1 bias",
          [](auto &in) { return conv_transpose2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1, 1)); },
          {rand32({2, 8, 5, 5}, g), rand32({8, 4, 3, 3}, g), rand32({4}, g)});
}

TEST_CASE("oneDNN vs reference: batch norm, pooling, eltwise, gemm") {
    Generator g(2);
    const Tensor none;
    const Tensor x = rand32({8, 4, 7, 7}, g, -2, 3);
    agree("bn train no affine", [&](auto &in) { return batch_norm(in[0], none, none, none, none, true, 0.1, 1e-4); }, {x});
    agree("bn train affine", [&](auto &in) { return batch_norm(in[0], none, none, in[1], in[2], true, 0.1, 1e-5); },
          {x, rand32({4}, g, 0.5, 1.5), rand32({4}, g)});
    agree("bn1d train affine", [&](auto &in) { return batch_norm(in[0], none, none, in[1], in[2], true, 0.1, 1e-5); },
          {rand32({16, 5}, g), rand32({5}, g, 0.5, 1.5), rand32({5}, g)});
    const Tensor rm = rand32({4}, g), rv = rand32({4}, g, 0.5, 2);
    agree("bn eval affine", [&](auto &in) { return batch_norm(in[0], rm, rv, in[1], in[2], false, 0.1, 1e-5); },
          {x, rand32({4}, g, 0.5, 1.5), rand32({4}, g)});
    agree("bn eval no affine", [&](auto &in) { return batch_norm(in[0], rm, rv, none, none, false, 0.1, 1e-4); }, {x});
    agree("max pool 2x2", [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(2)); }, {rand32({4, 3, 28, 28}, g)});
    agree("max pool 3x3 s2 p1", [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(3, 2, 1)); }, {rand32({2, 3, 9, 8}, g)});
    agree("avg pool 3x3 s2 p1", [](auto &in) { return avg_pool2d(in[0], Pool2dOptions::make(3, 2, 1)); }, {rand32({2, 3, 9, 8}, g)});
    const Tensor e = rand32({5000}, g, -3, 3);
    agree("relu", [](auto &in) { return relu(in[0]); }, {e});
    agree("leaky relu", [](auto &in) { return leaky_relu(in[0], 0.01); }, {e});
    agree("sigmoid", [](auto &in) { return sigmoid(in[0]); }, {e});
    agree("tanh", [](auto &in) { return tanh(in[0]); }, {e});
    agree("exp", [](auto &in) { return exp(in[0]); }, {e});
    agree("log", [](auto &in) { return log(in[0]); }, {rand32({5000}, g, 0.1, 3)});
    agree("linear", [](auto &in) { return linear(in[0], in[1], in[2]); }, {rand32({50, 196}, g), rand32({32, 196}, g), rand32({32}, g)});
    agree("matmul", [](auto &in) { return matmul(in[0], in[1]); }, {rand32({7, 13}, g), rand32({13, 5}, g)});
}

TEST_CASE("f32 (oneDNN) and f64 (reference) gradients agree through the Deep SVDD autoencoder") {
    Generator g(3);
    LeNetMnist ae(true, g);
    Tensor x = rand_t({6, 1, 28, 28}, g, 0, 1, DType::f32);
    Tensor loss32 = mse_loss(ae(x), x);
    loss32.backward();
    std::vector<std::vector<double>> g32;
    for (auto &p : ae.parameters()) g32.push_back(p.grad().to_vector<double>());
    // Same weights in f64, through the reference loops.
    std::vector<Tensor> p64;
    for (auto &p : ae.parameters()) p64.push_back(p.detach().to(DType::f64).requires_grad_());
    // Rebuild the forward pass functionally on the f64 copies.
    const Tensor none;
    auto bn = [&](const Tensor &h) { return batch_norm(h, none, none, none, none, true, 0.1, 1e-4); };
    auto pool = [](const Tensor &h) { return max_pool2d(h, Pool2dOptions::make(2)); };
    const Tensor x64 = x.to(DType::f64);
    Tensor h = pool(leaky_relu(bn(conv2d(x64, p64[0], none, Conv2dOptions::make(1, 2)))));
    h = pool(leaky_relu(bn(conv2d(h, p64[1], none, Conv2dOptions::make(1, 2)))));
    h = linear(h.flatten(1), p64[2]).reshape({6, 2, 4, 4});
    h = upsample_nearest2d(leaky_relu(h), 2);
    h = upsample_nearest2d(leaky_relu(bn(conv_transpose2d(h, p64[3], none, Conv2dOptions::make(1, 2)))), 2);
    h = upsample_nearest2d(leaky_relu(bn(conv_transpose2d(h, p64[4], none, Conv2dOptions::make(1, 3)))), 2);
    h = sigmoid(conv_transpose2d(h, p64[5], none, Conv2dOptions::make(1, 2)));
    Tensor loss64 = mse_loss(h, x64);
    CHECK(std::abs(loss64.item() - loss32.item()) < 1e-5 * loss64.item() + 1e-7);
    loss64.backward();
    for (size_t i = 0; i < p64.size(); ++i) {
        INFO("parameter " << i);
        const auto ref = p64[i].grad().to_vector<double>();
        double scale = 1e-6;
        for (double v : ref) scale = std::max(scale, std::abs(v));
        CHECK(closeness(g32[i], ref, 1e-3 * scale, 1e-3) <= 1.0);
    }
}
