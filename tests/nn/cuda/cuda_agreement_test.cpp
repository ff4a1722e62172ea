// cuda_agreement_test.cpp — the cuda backend of vigil::nn against the cpu
// backend (test_nn_cuda links vigil_nn_cuda, which has both). Every kernel
// the cuda backend implements must give the cpu's values and gradients within
// float tolerance; the kernels it does not implement yet must say so with
// VIGIL_ERR_UNSUPPORTED (this test flips to agreement as they land).
// Without a usable device every case skips with a message.
#include "nn_test_util.hpp"

#include <cstdlib>

using namespace nt;

namespace {

bool device_or_skip() {
    if (cuda_available()) return true;
    char reason[256];
    probe(reason, sizeof reason);
    MESSAGE("skipped: " << reason);
    return false;
}

struct Run {
    std::vector<double> out;
    std::vector<std::vector<double>> grads;
};

Run run_on(Device d, const Fn &f, const std::vector<Tensor> &inputs_cpu) {
    std::vector<Tensor> in;
    for (const Tensor &t : inputs_cpu) in.push_back(t.detach().to(d).requires_grad_());
    Tensor out = f(in);
    Generator g(31);
    const Tensor R = rand_t(out.shape(), g, -1, 1, DType::f32).to(d);
    sum(out * R).backward();
    Run r;
    r.out = out.to_vector<double>();
    for (const Tensor &t : in) r.grads.push_back(t.grad().defined() ? t.grad().to_vector<double>() : std::vector<double>());
    return r;
}

void agree(const std::string &name, const Fn &f, const std::vector<Tensor> &inputs, double tol = 1e-4) {
    INFO("op: " << name);
    const Run c = run_on(Device::cpu, f, inputs), g = run_on(Device::cuda, f, inputs);
    double s = 1e-3;
    for (double v : c.out) s = std::max(s, std::abs(v));
    CHECK(closeness(g.out, c.out, tol * s, tol) <= 1.0);
    for (size_t i = 0; i < c.grads.size(); ++i) {
        double gs = 1e-3;
        for (double v : c.grads[i]) gs = std::max(gs, std::abs(v));
        CHECK(closeness(g.grads[i], c.grads[i], tol * gs, tol) <= 1.0);
    }
}

Tensor r32(const Shape &s, Generator &g, double lo = -1, double hi = 1) { return rand_t(s, g, lo, hi, DType::f32); }

} // namespace

TEST_CASE("cuda variant identity") {
    CHECK(variant_device() == Device::cuda);
    CHECK(kBackend == VIGIL_BACKEND_CUDA);
    char reason[256];
    const int32_t score = probe(reason, sizeof reason);
    CHECK(score == (cuda_available() ? 200 : 0));
    if (!cuda_available()) {
        std::string msg;
        CHECK(error_code([&] { Tensor::zeros({2}, DType::f32, Device::cuda); }, &msg) == VIGIL_ERR_NO_DEVICE);
        MESSAGE("no device: " << msg);
    }
}

TEST_CASE("cuda vs cpu: transfers, elementwise, reductions, shape ops") {
    if (!device_or_skip()) return;
    Generator g(1);
    const Tensor x = r32({3, 4, 5}, g, -2, 2), b = r32({4, 1}, g), pos = r32({3, 4, 5}, g, 0.2, 2);
    CHECK(x.to(Device::cuda).to(Device::cpu).to_vector<float>() == x.to_vector<float>());
    agree("relu", [](auto &in) { return relu(in[0]); }, {x});
    agree("leaky_relu", [](auto &in) { return leaky_relu(in[0], 0.1); }, {x});
    agree("sigmoid", [](auto &in) { return sigmoid(in[0]); }, {x});
    agree("tanh", [](auto &in) { return tanh(in[0]); }, {x});
    agree("softplus", [](auto &in) { return softplus(in[0]); }, {x});
    agree("exp/log/sqrt", [](auto &in) { return exp(in[0]) + log(in[0]) + sqrt(in[0]); }, {pos});
    agree("square/abs/pow/affine", [](auto &in) { return square(in[0]) + abs(in[0]) + affine(in[0], 2, 1); }, {x});
    agree("broadcast add/mul/div", [](auto &in) { return (in[0] + in[1]) * in[1] / (in[1] * in[1] + 1.0); }, {x, b});
    agree("maximum", [](auto &in) { return maximum(in[0], in[1]); }, {x, b});
    agree("sum/mean", [](auto &in) { return sum(in[0], {0, 2}) + mean(in[0], {0, 2}); }, {x});
    agree("max axis", [](auto &in) { return max(in[0], 1); }, {x});
    agree("concat/slice/split", [](auto &in) {
        auto parts = split(concat({in[0], in[0]}, 2), {3, 7}, 2);
        return slice(parts[1], 1, 1, 3);
    }, {x});
    agree("transpose2d", [](auto &in) { return transpose2d(in[0]); }, {r32({7, 3}, g)});
    agree("matmul/linear", [](auto &in) { return linear(matmul(in[0], in[1]), in[2], in[3]); },
          {r32({5, 6}, g), r32({6, 4}, g), r32({3, 4}, g), r32({3}, g)});
    agree("softmax/log_softmax", [](auto &in) { return softmax(in[0], 1) + log_softmax(in[0], -1); }, {x});
    const Tensor lab = Tensor::from_vector(std::vector<int32_t>{2, 0, 4}, {3});
    agree("cross_entropy", [&](auto &in) { return cross_entropy(in[0], lab.to(in[0].device())); }, {r32({3, 5}, g)});
    agree("mse", [](auto &in) { return mse_loss(in[0], in[1]); }, {x, pos});
    agree("image transforms", [](auto &in) { return rot90(translate(hflip(upsample_nearest2d(in[0], 2)), 3, -2), 1); },
          {r32({2, 3, 4, 5}, g)});
    agree("reflect pad", [](auto &in) { return reflect_pad2d(in[0], 2, 1, 0, 3); }, {r32({2, 3, 4, 5}, g)});
}

TEST_CASE("cuda vs cpu: dropout masks and optimiser steps") {
    if (!device_or_skip()) return;
    Generator g1(3), g2(3);
    const Tensor x = Tensor::ones({1000});
    CHECK(dropout(x, 0.3, true, g1).to_vector<float>() == dropout(x.to(Device::cuda), 0.3, true, g2).to_vector<float>());
    for (int kind = 0; kind < 3; ++kind) {
        INFO("optimiser " << kind);
        Generator g(5);
        const Tensor p0 = r32({50}, g), c = r32({50}, g, 0.5, 2);
        std::vector<std::vector<float>> result;
        for (Device d : {Device::cpu, Device::cuda}) {
            Tensor p = p0.detach().to(d).requires_grad_();
            const Tensor cd = c.to(d);
            std::unique_ptr<Optimizer> opt;
            if (kind == 0) opt = std::make_unique<Adam>(std::vector<Tensor>{p}, AdamOptions{0.01, 0.9, 0.999, 1e-8, 0.01, false});
            if (kind == 1) opt = std::make_unique<Adam>(std::vector<Tensor>{p}, adamw_options(0.01, 0.1));
            if (kind == 2) opt = std::make_unique<SGD>(std::vector<Tensor>{p}, SgdOptions{0.05, 0.9, 0, 1e-3, true});
            for (int t = 0; t < 5; ++t) {
                opt->zero_grad();
                sum(cd * p * p).backward();
                opt->step();
            }
            result.push_back(p.to_vector<float>());
        }
        std::vector<double> a(result[0].begin(), result[0].end()), b(result[1].begin(), result[1].end());
        CHECK(closeness(b, a, 1e-6, 1e-5) <= 1.0);
    }
}

TEST_CASE("cuda kernels not implemented yet say so") {
    if (!device_or_skip()) return;
    const Tensor x = Tensor::ones({2, 1, 4, 4}, DType::f32, Device::cuda), w = Tensor::ones({1, 1, 3, 3}, DType::f32, Device::cuda);
    std::string msg;
    CHECK(error_code([&] { conv2d(x, w, Tensor(), {}); }, &msg) == VIGIL_ERR_UNSUPPORTED);
    CHECK(msg.find("not implemented on cuda") != std::string::npos);
    CHECK(error_code([&] { max_pool2d(x, Pool2dOptions::make(2)); }) == VIGIL_ERR_UNSUPPORTED);
    CHECK(error_code([&] { batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5); }) == VIGIL_ERR_UNSUPPORTED);
    CHECK(error_code([&] { Tensor::zeros({2}, DType::f64, Device::cuda); }) == VIGIL_ERR_UNSUPPORTED);
}
