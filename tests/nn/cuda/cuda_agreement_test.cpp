// cuda_agreement_test.cpp — the cuda backend of vigil::nn against the cpu
// backend (test_nn_cuda links vigil_nn_cuda, which has both): variant
// identity, and the kernels outside cuDNN (elementwise, reductions, shape
// ops, softmax/losses, gathers, dropout masks, optimiser steps) give the
// cpu's values and gradients within float tolerance. cuda_cudnn_test.cpp
// covers convolution, batch norm and pooling; cuda_network_test.cpp whole
// networks. Without a usable device every case skips with a message.
#include "cuda_test_util.hpp"

#include <cstdlib>
#include <memory>

using namespace nt_cuda;

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

TEST_CASE("cuda: float64 stays unsupported") {
    if (!device_or_skip()) return;
    std::string msg;
    CHECK(error_code([&] { Tensor::zeros({2}, DType::f64, Device::cuda); }, &msg) == VIGIL_ERR_UNSUPPORTED);
    MESSAGE("float64 on cuda: " << msg);
}
