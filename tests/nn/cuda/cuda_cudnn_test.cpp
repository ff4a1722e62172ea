// cuda_cudnn_test.cpp — the cuDNN-backed kernels of the cuda backend
// (convolution, transposed convolution, batch norm, pooling) against the cpu
// backend, values and gradients through the autograd ops, within 1e-4
// (relative to each element and to the largest magnitude of the result,
// see cuda_test_util.hpp). The shapes probe the conventions that could
// differ between cuDNN and the cpu code: strides whose last padded row is
// never read, non-square kernels and strides, transposed-convolution output
// padding, padding in max pooling (never the maximum) and average pooling
// (counted), batch norm with and without γ/β, 1d and 2d, training and
// evaluation, and the running statistics the engine updates itself.
// Without a usable device every case skips with a message.
#include "cuda_test_util.hpp"

using namespace nt_cuda;

namespace {

Conv2dOptions conv_opts(int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t oph = 0, int64_t opw = 0) {
    Conv2dOptions o;
    o.stride_h = sh;
    o.stride_w = sw;
    o.pad_h = ph;
    o.pad_w = pw;
    o.output_pad_h = oph;
    o.output_pad_w = opw;
    return o;
}

Pool2dOptions pool_opts(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw) {
    Pool2dOptions o;
    o.kernel_h = kh;
    o.kernel_w = kw;
    o.stride_h = sh;
    o.stride_w = sw;
    o.pad_h = ph;
    o.pad_w = pw;
    return o;
}

} // namespace

TEST_CASE("cuda vs cpu: conv2d") {
    if (!device_or_skip()) return;
    Generator g(11);
    const Tensor none;
    agree("conv 1->8 5x5 pad 2, no bias (LeNet)",
          [&](auto &in) { return conv2d(in[0], in[1], none, Conv2dOptions::make(1, 2)); },
          {r32({4, 1, 28, 28}, g), r32({8, 1, 5, 5}, g)});
    agree("conv 8->4 5x5 pad 2, no bias", [&](auto &in) { return conv2d(in[0], in[1], none, Conv2dOptions::make(1, 2)); },
          {r32({4, 8, 14, 14}, g), r32({4, 8, 5, 5}, g)});
    agree("conv 3x3 stride 2 pad 1, bias", [](auto &in) { return conv2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1)); },
          {r32({3, 16, 9, 9}, g), r32({32, 16, 3, 3}, g), r32({32}, g)});
    // (10 + 2 − 3) / 2 = 4.5: the last padded row and column are never read.
    agree("conv 3x3 stride 2 pad 1 on 10x10, bias",
          [](auto &in) { return conv2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1)); },
          {r32({2, 3, 10, 10}, g), r32({4, 3, 3, 3}, g), r32({4}, g)});
    agree("conv 1x1, bias", [](auto &in) { return conv2d(in[0], in[1], in[2], {}); },
          {r32({2, 16, 8, 8}, g), r32({8, 16, 1, 1}, g), r32({8}, g)});
    agree("conv 3x2 kernel, stride (2, 1), pad (1, 0), no bias",
          [&](auto &in) { return conv2d(in[0], in[1], none, conv_opts(2, 1, 1, 0)); },
          {r32({2, 3, 7, 6}, g), r32({5, 3, 3, 2}, g)});
    agree("conv 3x3 stride 1 pad 1 (WRN), 16->32", [&](auto &in) { return conv2d(in[0], in[1], none, Conv2dOptions::make(1, 1)); },
          {r32({8, 16, 16, 16}, g), r32({32, 16, 3, 3}, g)});
}

TEST_CASE("cuda vs cpu: conv_transpose2d") {
    if (!device_or_skip()) return;
    Generator g(12);
    const Tensor none;
    agree("deconv 2->4 5x5 pad 2", [&](auto &in) { return conv_transpose2d(in[0], in[1], none, Conv2dOptions::make(1, 2)); },
          {r32({4, 2, 8, 8}, g), r32({2, 4, 5, 5}, g)});
    agree("deconv 4->8 5x5 pad 3 (Deep SVDD decoder)",
          [&](auto &in) { return conv_transpose2d(in[0], in[1], none, Conv2dOptions::make(1, 3)); },
          {r32({4, 4, 16, 16}, g), r32({4, 8, 5, 5}, g)});
    agree("deconv 3x3 stride 2 pad 1 output pad 1, bias",
          [](auto &in) { return conv_transpose2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1, 1)); },
          {r32({2, 8, 5, 5}, g), r32({8, 4, 3, 3}, g), r32({4}, g)});
    agree("deconv 3x3 stride 2 pad 1, no output pad",
          [&](auto &in) { return conv_transpose2d(in[0], in[1], none, Conv2dOptions::make(2, 1)); },
          {r32({2, 8, 5, 5}, g), r32({8, 4, 3, 3}, g)});
    agree("deconv 4x3 kernel, stride (2, 3), pad (1, 0), output pad (1, 2), bias",
          [](auto &in) { return conv_transpose2d(in[0], in[1], in[2], conv_opts(2, 3, 1, 0, 1, 2)); },
          {r32({2, 3, 4, 5}, g), r32({3, 6, 4, 3}, g), r32({6}, g)});
}

TEST_CASE("cuda vs cpu: batch norm through the op") {
    if (!device_or_skip()) return;
    Generator g(13);
    const Tensor none;
    const Tensor x = r32({8, 4, 7, 7}, g, -2, 3), x1 = r32({16, 5}, g, -2, 3);
    const Tensor g4 = r32({4}, g, 0.5, 1.5), b4 = r32({4}, g), g5 = r32({5}, g, 0.5, 1.5), b5 = r32({5}, g);
    // Training (batch statistics, differentiated through them).
    agree("bn2d train, no affine, eps 1e-4", [&](auto &in) { return batch_norm(in[0], none, none, none, none, true, 0.1, 1e-4); },
          {x});
    agree("bn2d train, affine", [&](auto &in) { return batch_norm(in[0], none, none, in[1], in[2], true, 0.1, 1e-5); },
          {x, g4, b4});
    agree("bn2d train, gamma only", [&](auto &in) { return batch_norm(in[0], none, none, in[1], none, true, 0.1, 1e-5); },
          {x, g4});
    agree("bn2d train, beta only", [&](auto &in) { return batch_norm(in[0], none, none, none, in[1], true, 0.1, 1e-5); },
          {x, b4});
    agree("bn1d train, no affine", [&](auto &in) { return batch_norm(in[0], none, none, none, none, true, 0.1, 1e-4); },
          {x1});
    agree("bn1d train, affine", [&](auto &in) { return batch_norm(in[0], none, none, in[1], in[2], true, 0.1, 1e-5); },
          {x1, g5, b5});
    // Small variances (values within ±3e-4, variance ~3e-8) against a
    // larger and a much smaller eps.
    const Tensor xs = r32({4, 3, 5, 5}, g, -3e-4, 3e-4);
    agree("bn2d train, variance << eps", [&](auto &in) { return batch_norm(in[0], none, none, none, none, true, 0.1, 1e-4); },
          {xs});
    agree("bn2d train, variance >> eps 1e-10",
          [&](auto &in) { return batch_norm(in[0], none, none, none, none, true, 0.1, 1e-10); }, {xs});
    // Evaluation (running statistics held constant, also in the backward pass).
    const Tensor rm4 = r32({4}, g), rv4 = r32({4}, g, 0.5, 2), rm5 = r32({5}, g), rv5 = r32({5}, g, 0.5, 2);
    auto on = [](const Tensor &t, const Tensor &like) { return t.to(like.device()); };
    agree("bn2d eval, affine",
          [&](auto &in) { return batch_norm(in[0], on(rm4, in[0]), on(rv4, in[0]), in[1], in[2], false, 0.1, 1e-5); },
          {x, g4, b4});
    agree("bn2d eval, no affine",
          [&](auto &in) { return batch_norm(in[0], on(rm4, in[0]), on(rv4, in[0]), none, none, false, 0.1, 1e-4); }, {x});
    agree("bn1d eval, affine",
          [&](auto &in) { return batch_norm(in[0], on(rm5, in[0]), on(rv5, in[0]), in[1], in[2], false, 0.1, 1e-5); },
          {x1, g5, b5});
    agree("bn1d eval, no affine",
          [&](auto &in) { return batch_norm(in[0], on(rm5, in[0]), on(rv5, in[0]), none, none, false, 0.1, 1e-4); }, {x1});
}

// BatchNorm modules: the batch statistics written by the training kernel
// (mean, biased variance) feed the engine's own running-statistics update
// (unbiased variance); after a training step both backends hold the same
// running statistics, and evaluation with them agrees, values and gradients.
TEST_CASE("cuda vs cpu: BatchNorm running statistics after a step") {
    if (!device_or_skip()) return;
    Generator g(14);
    struct Case {
        const char *name;
        Shape shape;
        bool affine;
    };
    for (const Case &k : {Case{"2d affine", {6, 3, 5, 4}, true}, Case{"2d no affine", {6, 3, 5, 4}, false},
                          Case{"1d affine", {12, 7}, true}, Case{"1d no affine", {12, 7}, false}}) {
        INFO("BatchNorm " << std::string(k.name));
        const int64_t c = k.shape[1];
        const Tensor x = r32(k.shape, g, -1, 4), R = r32(k.shape, g);
        const Tensor gamma = r32({c}, g, 0.5, 1.5), beta = r32({c}, g);
        std::vector<std::vector<double>> out[2], grads[2], buffers[2];
        for (int dev = 0; dev < 2; ++dev) {
            const Device d = dev ? Device::cuda : Device::cpu;
            BatchNorm bn(c, 1e-5, 0.3, k.affine);
            if (k.affine) {
                bn.gamma.copy_(gamma);
                bn.beta.copy_(beta);
            }
            bn.to(d);
            const Tensor Rd = R.to(d);
            for (bool training : {true, false}) {
                bn.train(training);
                Tensor xd = x.detach().to(d).requires_grad_();  // a fresh leaf: no gradient carried over
                Tensor y = bn(xd);
                sum(y * Rd).backward();
                out[dev].push_back(y.to_vector<double>());
                grads[dev].push_back(xd.grad().to_vector<double>());
                if (k.affine) {
                    grads[dev].push_back(bn.gamma.grad().to_vector<double>());
                    grads[dev].push_back(bn.beta.grad().to_vector<double>());
                    bn.gamma.zero_grad();
                    bn.beta.zero_grad();
                }
                for (const auto &nb : bn.named_buffers()) buffers[dev].push_back(nb.second.to_vector<double>());
            }
        }
        for (size_t i = 0; i < out[0].size(); ++i) CHECK(closeness(out[1][i], out[0][i], 1e-4 * max_abs(out[0][i]), 1e-4) <= 1.0);
        for (size_t i = 0; i < grads[0].size(); ++i) {
            INFO("gradient " << i);
            CHECK(closeness(grads[1][i], grads[0][i], 1e-4 * max_abs(grads[0][i]), 1e-4) <= 1.0);
        }
        for (size_t i = 0; i < buffers[0].size(); ++i) {
            INFO("buffer " << i);
            CHECK(closeness(buffers[1][i], buffers[0][i], 1e-6, 1e-5) <= 1.0);
        }
    }
}

TEST_CASE("cuda vs cpu: pooling") {
    if (!device_or_skip()) return;
    Generator g(15);
    agree("max pool 2x2 (LeNet)", [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(2)); }, {r32({4, 3, 28, 28}, g)});
    agree("max pool 2x2 on 7x7 (last row and column unread)", [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(2)); },
          {r32({2, 3, 7, 7}, g)});
    // All inputs negative: a padded zero must never be the maximum.
    agree("max pool 3x3 stride 2 pad 1, negative inputs",
          [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(3, 2, 1)); }, {r32({2, 3, 9, 8}, g, -2, -0.5)});
    agree("max pool 3x2 stride (2, 1) pad (1, 0)", [](auto &in) { return max_pool2d(in[0], pool_opts(3, 2, 2, 1, 1, 0)); },
          {r32({2, 2, 7, 6}, g)});
    // Padding counted in the average (count_include_pad), at the borders.
    agree("avg pool 3x3 stride 2 pad 1", [](auto &in) { return avg_pool2d(in[0], Pool2dOptions::make(3, 2, 1)); },
          {r32({2, 3, 9, 8}, g, 0.5, 2)});
    agree("avg pool 2x2", [](auto &in) { return avg_pool2d(in[0], Pool2dOptions::make(2)); }, {r32({2, 3, 8, 8}, g)});
    agree("avg pool 3x2 stride (1, 2) pad (1, 1)", [](auto &in) { return avg_pool2d(in[0], pool_opts(3, 2, 1, 2, 1, 1)); },
          {r32({2, 2, 5, 7}, g)});
}
