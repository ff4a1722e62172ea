// gradcheck_test.cpp — every differentiable op of vigil::nn against central
// finite differences, in float64 on cpu (the reference loops; oneDNN's f32
// paths are compared with those in dnnl_test.cpp).
#include "nn_test_util.hpp"

using namespace nt;

namespace {
Tensor labels_of(const std::vector<int32_t> &v) { return Tensor::from_vector(v, {static_cast<int64_t>(v.size())}); }
} // namespace

TEST_CASE("gradcheck: unary ops") {
    Generator g(1);
    const Tensor x = rand_t({3, 4}, g, -2, 2);
    const Tensor pos = rand_t({3, 4}, g, 0.2, 2);
    gradcheck("relu", [](auto &in) { return relu(in[0]); }, {x});
    gradcheck("leaky_relu", [](auto &in) { return leaky_relu(in[0], 0.2); }, {x});
    gradcheck("sigmoid", [](auto &in) { return sigmoid(in[0]); }, {x});
    gradcheck("tanh", [](auto &in) { return tanh(in[0]); }, {x});
    gradcheck("softplus", [](auto &in) { return softplus(in[0]); }, {x});
    gradcheck("softplus beta 3 threshold 2", [](auto &in) { return softplus(in[0], 3.0, 2.0); }, {x});
    gradcheck("exp", [](auto &in) { return exp(in[0]); }, {x});
    gradcheck("log", [](auto &in) { return log(in[0]); }, {pos});
    gradcheck("square", [](auto &in) { return square(in[0]); }, {x});
    gradcheck("sqrt", [](auto &in) { return sqrt(in[0]); }, {pos});
    gradcheck("abs", [](auto &in) { return abs(in[0]); }, {x});
    gradcheck("pow 3", [](auto &in) { return pow(in[0], 3.0); }, {x});
    gradcheck("pow 0.5", [](auto &in) { return pow(in[0], 0.5); }, {pos});
    gradcheck("affine", [](auto &in) { return affine(in[0], -1.5, 0.25); }, {x});
    gradcheck("neg and scalar ops", [](auto &in) { return (2.0 - in[0]) * 3.0 / 4.0 + 1.0; }, {x});
}

TEST_CASE("gradcheck: broadcasting binary ops") {
    Generator g(2);
    const Tensor a = rand_t({2, 3, 4}, g), b = rand_t({3, 1}, g), c = rand_t({2, 1, 4}, g), d = rand_t({1, 3, 4}, g);
    const Tensor away = rand_t({3, 1}, g, 0.5, 1.5);
    gradcheck("add", [](auto &in) { return in[0] + in[1]; }, {a, b});
    gradcheck("sub", [](auto &in) { return in[0] - in[1]; }, {c, d});
    gradcheck("mul", [](auto &in) { return in[0] * in[1]; }, {a, c});
    gradcheck("div", [](auto &in) { return in[0] / in[1]; }, {a, away});
    gradcheck("maximum", [](auto &in) { return maximum(in[0], in[1]); }, {c, d});
    gradcheck("same shape mul", [](auto &in) { return in[0] * in[1]; }, {a, rand_t({2, 3, 4}, g)});
    gradcheck("scalar tensor", [](auto &in) { return in[0] * in[1]; }, {a, rand_t({}, g)});
    gradcheck("one input constant", [](auto &in) { return in[0] * in[1]; }, {a, b}, 1e-6, 1e-7, 1e-5, {false, true});
    gradcheck("input used twice", [](auto &in) { return in[0] * in[0] + in[0]; }, {a});
}

TEST_CASE("gradcheck: reductions") {
    Generator g(3);
    const Tensor x = rand_t({2, 3, 4}, g);
    gradcheck("sum all", [](auto &in) { return sum(in[0]); }, {x});
    gradcheck("sum 0,2", [](auto &in) { return sum(in[0], {0, 2}); }, {x});
    gradcheck("sum 1 keepdim", [](auto &in) { return sum(in[0], {1}, true); }, {x});
    gradcheck("sum -1", [](auto &in) { return sum(in[0], {-1}); }, {x});
    gradcheck("mean all", [](auto &in) { return mean(in[0]); }, {x});
    gradcheck("mean 1,2", [](auto &in) { return mean(in[0], {1, 2}); }, {x});
    gradcheck("max axis 1", [](auto &in) { return max(in[0], 1); }, {x});
    gradcheck("max axis 2 keepdim", [](auto &in) { return max(in[0], 2, true); }, {x});
    gradcheck("max all", [](auto &in) { return max(in[0]); }, {x});
    gradcheck("sum_to", [](auto &in) { return sum_to(in[0], {3, 1}); }, {x});
}

TEST_CASE("gradcheck: shape ops") {
    Generator g(4);
    const Tensor x = rand_t({2, 3, 4}, g), y = rand_t({2, 2, 4}, g);
    gradcheck("reshape", [](auto &in) { return in[0].reshape({4, -1}) * 2.0; }, {x});
    gradcheck("flatten", [](auto &in) { return flatten(in[0], 1); }, {x});
    gradcheck("concat axis 1", [](auto &in) { return concat({in[0], in[1], in[0]}, 1); }, {x, y});
    gradcheck("split", [](auto &in) {
        auto parts = split(in[0], {1, 2}, 1);
        return parts[0] * 2.0 + sum(parts[1], {1}, true);
    }, {x});
    gradcheck("slice last axis", [](auto &in) { return slice(in[0], -1, 1, 3); }, {x});
    gradcheck("transpose2d", [](auto &in) { return transpose2d(in[0]); }, {rand_t({3, 5}, g)});
    gradcheck("clone", [](auto &in) { return in[0].clone(); }, {x});
}

TEST_CASE("gradcheck: matmul and linear") {
    Generator g(5);
    gradcheck("matmul", [](auto &in) { return matmul(in[0], in[1]); }, {rand_t({3, 4}, g), rand_t({4, 2}, g)});
    gradcheck("linear with bias", [](auto &in) { return linear(in[0], in[1], in[2]); },
              {rand_t({5, 4}, g), rand_t({3, 4}, g), rand_t({3}, g)});
    gradcheck("linear without bias", [](auto &in) { return linear(in[0], in[1]); }, {rand_t({5, 4}, g), rand_t({3, 4}, g)});
}

TEST_CASE("gradcheck: conv2d") {
    Generator g(6);
    gradcheck("conv2d 5x5 pad 2, no bias", [](auto &in) { return conv2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 2)); },
              {rand_t({2, 2, 6, 6}, g), rand_t({3, 2, 5, 5}, g)});
    gradcheck("conv2d 3x3 stride 2 pad 1, bias", [](auto &in) { return conv2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1)); },
              {rand_t({2, 3, 7, 6}, g), rand_t({2, 3, 3, 3}, g), rand_t({2}, g)});
    Conv2dOptions o;
    o.stride_h = 1;
    o.stride_w = 2;
    o.pad_h = 0;
    o.pad_w = 1;
    gradcheck("conv2d 2x3 kernel, mixed stride/pad", [o](auto &in) { return conv2d(in[0], in[1], in[2], o); },
              {rand_t({1, 2, 5, 6}, g), rand_t({2, 2, 2, 3}, g), rand_t({2}, g)});
}

TEST_CASE("gradcheck: conv_transpose2d") {
    Generator g(7);
    gradcheck("deconv 5x5 pad 2", [](auto &in) { return conv_transpose2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 2)); },
              {rand_t({2, 2, 4, 4}, g), rand_t({2, 3, 5, 5}, g)});
    gradcheck("deconv stride 2 pad 1 output_pad 1, bias",
              [](auto &in) { return conv_transpose2d(in[0], in[1], in[2], Conv2dOptions::make(2, 1, 1)); },
              {rand_t({2, 3, 3, 3}, g), rand_t({3, 2, 3, 3}, g), rand_t({2}, g)});
    gradcheck("deconv 5x5 pad 3 (Deep SVDD decoder)",
              [](auto &in) { return conv_transpose2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 3)); },
              {rand_t({1, 2, 8, 8}, g), rand_t({2, 1, 5, 5}, g)});
}

TEST_CASE("gradcheck: batch norm") {
    Generator g(8);
    const Tensor x4 = rand_t({3, 2, 3, 2}, g, -2, 2), x2 = rand_t({5, 3}, g, -2, 2);
    const Tensor none;
    gradcheck("bn2d train, no affine", [&](auto &in) { return batch_norm(in[0], none, none, none, none, true, 0.1, 1e-4); }, {x4});
    gradcheck("bn2d train, affine", [&](auto &in) { return batch_norm(in[0], none, none, in[1], in[2], true, 0.1, 1e-5); },
              {x4, rand_t({2}, g, 0.5, 1.5), rand_t({2}, g)});
    gradcheck("bn1d train, affine", [&](auto &in) { return batch_norm(in[0], none, none, in[1], in[2], true, 0.1, 1e-5); },
              {x2, rand_t({3}, g, 0.5, 1.5), rand_t({3}, g)});
    gradcheck("bn1d train, scale only", [&](auto &in) { return batch_norm(in[0], none, none, in[1], none, true, 0.1, 1e-5); },
              {x2, rand_t({3}, g, 0.5, 1.5)});
    const Tensor rm = rand_t({2}, g), rv = rand_t({2}, g, 0.5, 2);
    gradcheck("bn2d eval, affine", [&](auto &in) { return batch_norm(in[0], rm, rv, in[1], in[2], false, 0.1, 1e-5); },
              {x4, rand_t({2}, g, 0.5, 1.5), rand_t({2}, g)});
    gradcheck("bn2d eval, no affine", [&](auto &in) { return batch_norm(in[0], rm, rv, none, none, false, 0.1, 1e-4); }, {x4});
}

TEST_CASE("gradcheck: pooling and upsampling") {
    Generator g(9);
    const Tensor x = rand_t({2, 2, 6, 5}, g);
    gradcheck("max_pool2d 2x2", [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(2)); }, {x});
    gradcheck("max_pool2d 3x3 s2 p1", [](auto &in) { return max_pool2d(in[0], Pool2dOptions::make(3, 2, 1)); }, {x});
    gradcheck("avg_pool2d 2x2", [](auto &in) { return avg_pool2d(in[0], Pool2dOptions::make(2)); }, {x});
    gradcheck("avg_pool2d 3x3 s2 p1", [](auto &in) { return avg_pool2d(in[0], Pool2dOptions::make(3, 2, 1)); }, {x});
    gradcheck("global_avg_pool2d", [](auto &in) { return global_avg_pool2d(in[0]); }, {x});
    gradcheck("upsample_nearest2d x2", [](auto &in) { return upsample_nearest2d(in[0], 2); }, {x});
    gradcheck("upsample_nearest2d x3", [](auto &in) { return upsample_nearest2d(in[0], 3); }, {rand_t({1, 1, 2, 3}, g)});
}

TEST_CASE("gradcheck: softmax and losses") {
    Generator g(10);
    const Tensor x = rand_t({3, 5}, g, -3, 3);
    gradcheck("softmax", [](auto &in) { return softmax(in[0]); }, {x});
    gradcheck("log_softmax", [](auto &in) { return log_softmax(in[0]); }, {x});
    gradcheck("softmax axis 1 of 3-d", [](auto &in) { return softmax(in[0], 1); }, {rand_t({2, 3, 4}, g)});
    gradcheck("log_softmax axis 0", [](auto &in) { return log_softmax(in[0], 0); }, {x});
    const Tensor lab = labels_of({4, 0, 2});
    gradcheck("cross_entropy", [&](auto &in) { return cross_entropy(in[0], lab); }, {x});
    gradcheck("cross_entropy scaled", [&](auto &in) { return cross_entropy(in[0], lab) * 3.0; }, {x});
    gradcheck("mse_loss", [](auto &in) { return mse_loss(in[0], in[1]); }, {x, rand_t({3, 5}, g)});
}

TEST_CASE("gradcheck: dropout with a fixed mask") {
    Generator g(11);
    gradcheck("dropout", [](auto &in) {
        Generator mask_gen(99);  // same mask at every evaluation
        return dropout(in[0], 0.4, true, mask_gen);
    }, {rand_t({4, 6}, g)});
}

TEST_CASE("gradcheck: image transforms") {
    Generator g(12);
    const Tensor x = rand_t({2, 1, 4, 5}, g);
    gradcheck("reflect_pad2d", [](auto &in) { return reflect_pad2d(in[0], 2, 1, 3, 0); }, {x});
    gradcheck("hflip", [](auto &in) { return hflip(in[0]); }, {x});
    gradcheck("translate symmetric", [](auto &in) { return translate(in[0], 2, -1, Fill::symmetric); }, {x});
    gradcheck("translate mirror", [](auto &in) { return translate(in[0], -3, 2, Fill::mirror); }, {x});
    gradcheck("translate beyond size", [](auto &in) { return translate(in[0], 7, 9); }, {x});
    for (int k : {1, 2, 3, -1})
        gradcheck("rot90 " + std::to_string(k), [k](auto &in) { return rot90(in[0], k); }, {x});
}

TEST_CASE("gradcheck: a small network end to end") {
    Generator g(13);
    const Tensor none;
    gradcheck("conv-bn-lrelu-pool-linear", [&](auto &in) {
        Tensor h = conv2d(in[0], in[1], Tensor(), Conv2dOptions::make(1, 1));
        h = batch_norm(h, none, none, none, none, true, 0.1, 1e-4);
        h = max_pool2d(leaky_relu(h), Pool2dOptions::make(2));
        h = upsample_nearest2d(h, 2);
        h = conv_transpose2d(h, in[2], Tensor(), Conv2dOptions::make(1, 1));
        return linear(sigmoid(h).flatten(1), in[3]);
    }, {rand_t({3, 1, 4, 4}, g), rand_t({2, 1, 3, 3}, g), rand_t({2, 1, 3, 3}, g), rand_t({2, 16}, g)});
}
