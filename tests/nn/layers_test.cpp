// layers_test.cpp — op and layer values checked against hand-computed
// results (in f64 on the reference loops and f32 on oneDNN), initialisation,
// module bookkeeping and the LeNet builders.
#include "nn_test_util.hpp"

#include <cmath>

using namespace nt;

namespace {
const DType kBoth[] = {DType::f64, DType::f32};
}

TEST_CASE("conv2d by hand") {
    for (DType dt : kBoth) {
        INFO(dtype_name(dt));
        const Tensor x = vals({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3}, dt);
        const Tensor w = vals({1, 0, 0, -1}, {1, 1, 2, 2}, dt);
        check_close(conv2d(x, w, Tensor(), {}), {-4, -4, -4, -4}, 1e-6);
        check_close(conv2d(x, w, vals({0.5}, {1}, dt), {}), {-3.5, -3.5, -3.5, -3.5}, 1e-6);
        // 3×3 kernel of ones, stride 2, pad 1: sums of the 3×3 neighbourhoods of (0,0), (0,2), (2,0), (2,2).
        const Tensor ones = Tensor::ones({1, 1, 3, 3}, dt);
        check_close(conv2d(x, ones, Tensor(), Conv2dOptions::make(2, 1)), {12, 16, 24, 28}, 1e-6);
        // Two input channels, two output channels.
        const Tensor x2 = vals({1, 2, 3, 4, 10, 20, 30, 40}, {1, 2, 2, 2}, dt);
        const Tensor w2 = vals({1, 0, 0, 0, 0, 0, 0, 1, /*out 1*/ 0, 0, 0, 0, 1, 1, 1, 1}, {2, 2, 2, 2}, dt);
        check_close(conv2d(x2, w2, Tensor(), {}), {1 + 40, 100}, 1e-6);
    }
}

TEST_CASE("conv_transpose2d by hand") {
    for (DType dt : kBoth) {
        INFO(dtype_name(dt));
        const Tensor x = vals({1, 2, 3, 4}, {1, 1, 2, 2}, dt);
        const Tensor w = Tensor::ones({1, 1, 2, 2}, dt);
        check_close(conv_transpose2d(x, w, Tensor(), Conv2dOptions::make(2, 0)),
                    {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 1e-6);
        check_close(conv_transpose2d(x, w, Tensor(), {}), {1, 3, 2, 4, 10, 6, 3, 7, 4}, 1e-6);
        check_close(conv_transpose2d(x, w, vals({1}, {1}, dt), Conv2dOptions::make(1, 1)), {11}, 1e-6);
        // Output size (H−1)s − 2p + k + output_pad.
        CHECK(conv_transpose2d(Tensor::ones({2, 3, 5, 5}, dt), Tensor::ones({3, 4, 3, 3}, dt), Tensor(),
                               Conv2dOptions::make(2, 1, 1))
                  .shape() == Shape{2, 4, 10, 10});
    }
}

TEST_CASE("linear and matmul by hand") {
    for (DType dt : kBoth) {
        const Tensor x = vals({1, 2, -1, 0}, {2, 2}, dt);
        const Tensor w = vals({1, 1, 0, -1, 2, 3}, {3, 2}, dt);
        check_close(linear(x, w, vals({0.5, 1, 0}, {3}, dt)), {3.5, -1, 8, -0.5, 1, -2}, 1e-6);
        check_close(linear(x, w), {3, -2, 8, -1, 0, -2}, 1e-6);
        check_close(matmul(x, vals({1, 0, 2, 0, 1, 3}, {2, 3}, dt)), {1, 2, 8, -1, 0, -2}, 1e-6);
    }
}

TEST_CASE("batch norm by hand: training, running statistics, evaluation") {
    const double m = 2.5, v = 1.25, s = std::sqrt(v + 1e-4);
    const double rm = 0.1 * m, rv = 0.9 + 0.1 * v * 4.0 / 3.0;  // running variance is unbiased
    for (DType dt : kBoth) {
        INFO(dtype_name(dt));
        Tensor run_m = Tensor::zeros({1}, dt), run_v = Tensor::ones({1}, dt);
        const Tensor x = vals({1, 2, 3, 4}, {2, 1, 1, 2}, dt);
        check_close(batch_norm(x, run_m, run_v, Tensor(), Tensor(), true, 0.1, 1e-4),
                    {(1 - m) / s, (2 - m) / s, (3 - m) / s, (4 - m) / s}, 1e-5, 1e-5);
        check_close(run_m, {rm}, 1e-6);
        check_close(run_v, {rv}, 1e-6);
        check_close(batch_norm(vals({1, 2}, {1, 1, 1, 2}, dt), run_m, run_v, Tensor(), Tensor(), false, 0.1, 1e-4),
                    {(1 - rm) / std::sqrt(rv + 1e-4), (2 - rm) / std::sqrt(rv + 1e-4)}, 1e-5, 1e-5);
        // Affine: γ and β applied after normalising; 1-d input.
        const Tensor x1 = vals({0, 0, 2, 4}, {2, 2}, dt);
        check_close(batch_norm(x1, Tensor(), Tensor(), vals({2, 1}, {2}, dt), vals({0, 10}, {2}, dt), true, 0.1, 1e-5),
                    {-2 / std::sqrt(1 + 1e-5), 10 - 2 / std::sqrt(4 + 1e-5), 2 / std::sqrt(1 + 1e-5),
                     10 + 2 / std::sqrt(4 + 1e-5)},
                    1e-5, 1e-5);
    }
    // The module: buffers updated in training mode only.
    BatchNorm2d bn(1, 1e-4, 0.1, false);
    bn(vals({1, 2, 3, 4}, {2, 1, 1, 2}, DType::f32));
    check_close(bn.running_mean, {rm}, 1e-6);
    bn.eval();
    bn(vals({5, 9}, {1, 1, 1, 2}, DType::f32));
    check_close(bn.running_mean, {rm}, 1e-6);
    std::string msg;
    BatchNorm2d bn3(3);
    CHECK(error_code([&] { bn3(Tensor::ones({1, 3, 1, 1})); }, &msg) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(msg.find("more than one value per channel") != std::string::npos);
}

TEST_CASE("pooling, upsampling and activations by hand") {
    for (DType dt : kBoth) {
        INFO(dtype_name(dt));
        const Tensor x = vals({1, 5, 2, 0, 3, 4, 8, 1, -1, -2, 0, 6, 7, 2, 3, 9}, {1, 1, 4, 4}, dt);
        check_close(max_pool2d(x, Pool2dOptions::make(2)), {5, 8, 7, 9}, 1e-6);
        check_close(avg_pool2d(x, Pool2dOptions::make(2)), {13 / 4.0, 11 / 4.0, 6 / 4.0, 18 / 4.0}, 1e-6);
        // 3×3 window, stride 2, pad 1, padding counted in the average.
        check_close(avg_pool2d(x, Pool2dOptions::make(3, 2, 1)), {13 / 9.0, 20 / 9.0, 13 / 9.0, 31 / 9.0}, 1e-6);
        check_close(max_pool2d(x, Pool2dOptions::make(3, 2, 1)), {5, 8, 7, 9}, 1e-6);
        const Tensor small = vals({1, 2, 3, 4}, {1, 1, 2, 2}, dt);
        check_close(upsample_nearest2d(small, 2), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 1e-6);
        const Tensor a = vals({-2, 0.5, 3}, {3}, dt);
        check_close(relu(a), {0, 0.5, 3}, 1e-6);
        check_close(leaky_relu(a), {-0.02, 0.5, 3}, 1e-6);
        check_close(sigmoid(a), {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(-0.5)), 1 / (1 + std::exp(-3.0))}, 1e-6, 1e-6);
        check_close(tanh(a), {std::tanh(-2.0), std::tanh(0.5), std::tanh(3.0)}, 1e-6, 1e-6);
        check_close(softplus(a), {std::log1p(std::exp(-2.0)), std::log1p(std::exp(0.5)), std::log1p(std::exp(3.0))}, 1e-6, 1e-6);
        check_close(softplus(vals({30}, {1}, dt)), {30}, 1e-6);  // linear above the threshold
        check_close(exp(a), {std::exp(-2.0), std::exp(0.5), std::exp(3.0)}, 1e-6, 1e-6);
        check_close(log(vals({1, std::exp(2.0)}, {2}, dt)), {0, 2}, 1e-5, 1e-6);  // oneDNN's log: ~1e-6 absolute
    }
}

TEST_CASE("reductions, broadcasting and shape ops by hand") {
    const Tensor x = vals({1, 2, 3, 4, 5, 6}, {2, 3});
    check_close(sum(x), {21});
    check_close(sum(x, {0}), {5, 7, 9});
    check_close(mean(x, {1}), {2, 5});
    CHECK(sum(x, {1}, true).shape() == Shape{2, 1});
    check_close(max(x, 0), {4, 5, 6});
    check_close(max(x), {6});
    CHECK(argmax(vals({1, 9, 3, 7, 2, 7}, {2, 3}), 1).to_vector<int32_t>() == std::vector<int32_t>{1, 0});
    check_close(x + vals({10, 20, 30}, {3}), {11, 22, 33, 14, 25, 36});
    check_close(x * vals({2, 3}, {2, 1}), {2, 4, 6, 12, 15, 18});
    check_close(vals({1, 2}, {2, 1}) - vals({1, 2, 3}, {1, 3}), {0, -1, -2, 1, 0, -1});
    check_close(maximum(x, vals({3}, {})), {3, 3, 3, 4, 5, 6});
    check_close(concat({x, vals({7, 8}, {2, 1})}, 1), {1, 2, 3, 7, 4, 5, 6, 8});
    check_close(concat({x, x}, 0), {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6});
    auto parts = split(x, {2, 1}, 1);
    check_close(parts[0], {1, 2, 4, 5});
    check_close(parts[1], {3, 6});
    check_close(slice(x, 0, 1, 2), {4, 5, 6});
    check_close(transpose2d(x), {1, 4, 2, 5, 3, 6});
    check_close(softmax(vals({0, std::log(3.0)}, {1, 2})), {0.25, 0.75});
    check_close(log_softmax(vals({0, std::log(3.0)}, {1, 2})), {std::log(0.25), std::log(0.75)});
    const Tensor lab = Tensor::from_vector(std::vector<int32_t>{1, 0}, {2});
    check_close(cross_entropy(vals({0, std::log(3.0), 0, 0}, {2, 2}), lab), {(-std::log(0.75) - std::log(0.5)) / 2});
    check_close(mse_loss(vals({1, 2}, {2}), vals({0, 0}, {2})), {2.5});
    std::string msg;
    CHECK(error_code([&] { cross_entropy(vals({0, 0}, {1, 2}), Tensor::from_vector(std::vector<int32_t>{2}, {1})); }, &msg) ==
          VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(msg.find("label 2") != std::string::npos);
}

TEST_CASE("image transforms by hand") {
    // 2×3 image  a b c / d e f  as 1 2 3 / 4 5 6.
    const Tensor x = vals({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3});
    check_close(hflip(x), {3, 2, 1, 6, 5, 4});
    // numpy.rot90(m, 1) = [[3, 6], [2, 5], [1, 4]]; k = 2: [[6, 5, 4], [3, 2, 1]]; k = 3: [[4, 1], [5, 2], [6, 3]].
    CHECK(rot90(x, 1).shape() == Shape{1, 1, 3, 2});
    check_close(rot90(x, 1), {3, 6, 2, 5, 1, 4});
    check_close(rot90(x, 2), {6, 5, 4, 3, 2, 1});
    check_close(rot90(x, 3), {4, 1, 5, 2, 6, 3});
    check_close(rot90(x, 4), {1, 2, 3, 4, 5, 6});
    check_close(rot90(rot90(x, 1), -1), {1, 2, 3, 4, 5, 6});
    const Tensor row = vals({1, 2, 3, 4}, {1, 4});
    check_close(translate(row, 1, 0, Fill::symmetric), {1, 1, 2, 3});
    check_close(translate(row, 1, 0, Fill::mirror), {2, 1, 2, 3});
    check_close(translate(row, -2, 0, Fill::symmetric), {3, 4, 4, 3});
    check_close(translate(row, -2, 0, Fill::mirror), {3, 4, 3, 2});
    const Tensor col = vals({1, 2, 3}, {3, 1});
    check_close(translate(col, 0, 1), {1, 1, 2});
    check_close(reflect_pad2d(vals({1, 2, 3}, {1, 3}), 2, 2, 0, 0), {3, 2, 1, 2, 3, 2, 1});
    check_close(reflect_pad2d(x, 0, 0, 1, 1), {4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3});
    CHECK(error_code([&] { reflect_pad2d(x, 3, 0, 0, 0); }) == VIGIL_ERR_INVALID_ARGUMENT);
    // Translating then the inverse keeps the interior.
    Generator g(3);
    const Tensor img = rand_t({2, 3, 8, 8}, g);
    const auto a = img.to_vector<double>(), b = translate(translate(img, 2, 0), -2, 0).to_vector<double>();
    for (int64_t p = 0; p < 6; ++p)
        for (int64_t yy = 0; yy < 8; ++yy)
            for (int64_t xx = 0; xx < 6; ++xx) CHECK(a[static_cast<size_t>((p * 8 + yy) * 8 + xx)] == b[static_cast<size_t>((p * 8 + yy) * 8 + xx)]);
}

TEST_CASE("dropout: rate, scaling, reproducibility, evaluation identity") {
    Generator g1(5), g2(5);
    const Tensor x = Tensor::ones({100, 100});
    const auto a = dropout(x, 0.3, true, g1).to_vector<float>();
    const auto b = dropout(x, 0.3, true, g2).to_vector<float>();
    CHECK(a == b);
    int zeros = 0;
    for (float v : a) {
        CHECK((v == 0.0f || std::abs(v - 1 / 0.7f) < 1e-6f));
        zeros += v == 0.0f;
    }
    CHECK(zeros > 2700);
    CHECK(zeros < 3300);
    CHECK(dropout(x, 0.3, false, g1).same(x));
}

TEST_CASE("initialisation follows torch's default schemes and is seeded") {
    Generator g(123);
    Linear fc(200, 50, true, g);
    const double bound = 1 / std::sqrt(200.0);
    double s = 0, s2 = 0;
    const auto w = fc.weight.to_vector<double>();
    for (double v : w) {
        CHECK(std::abs(v) <= bound);
        s += v;
        s2 += v * v;
    }
    const double n = double(w.size());
    CHECK(std::abs(s / n) < 0.05 * bound);
    CHECK(std::abs(s2 / n - bound * bound / 3) < 0.05 * bound * bound);
    for (double v : fc.bias.to_vector<double>()) CHECK(std::abs(v) <= bound);
    // ConvTranspose2d: fan_in = out_channels · k · k (torch's convention for its weight layout).
    ConvTranspose2d dc(4, 8, 5, 1, 2, 0, false, g);
    for (double v : dc.weight.to_vector<double>()) CHECK(std::abs(v) <= 1 / std::sqrt(8.0 * 25));
    CHECK(fan_in({4, 8, 5, 5}) == 200);
    CHECK(fan_out({4, 8, 5, 5}) == 100);
    // Same seed, same weights; different seed, different weights.
    Generator a(7), b(7), c(8);
    LeNetMnist n1(true, a), n2(true, b), n3(true, c);
    const auto p1 = n1.parameters(), p2 = n2.parameters(), p3 = n3.parameters();
    for (size_t i = 0; i < p1.size(); ++i) CHECK(p1[i].to_vector<float>() == p2[i].to_vector<float>());
    CHECK(p1[0].to_vector<float>() != p3[0].to_vector<float>());
    // Generator reproducibility of its own draws.
    Generator r1(9), r2(9);
    CHECK(r1.permutation(50) == r2.permutation(50));
    CHECK(r1.normal() == r2.normal());
    CHECK(r1.below(7) < 7);
}

TEST_CASE("modules: names, registration order, train/eval, zero_grad") {
    Generator g(1);
    LeNetMnist net(false, g);
    std::vector<std::string> names;
    for (auto &p : net.named_parameters()) names.push_back(p.first);
    CHECK(names == std::vector<std::string>{"conv1.weight", "conv2.weight", "fc1.weight"});
    std::vector<std::string> bufs;
    for (auto &p : net.named_buffers()) bufs.push_back(p.first);
    CHECK(bufs == std::vector<std::string>{"bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"});
    CHECK(net.parameter_count() == 8 * 25 + 4 * 8 * 25 + 32 * 196);  // 7272, as the reference network
    CHECK(net.training());
    net.eval();
    CHECK_FALSE(net.children()[1].second->training());
    Sequential seq;
    seq.add(std::make_shared<Linear>(3, 2, true, g)).add(make_relu()).add(std::make_shared<Linear>(2, 1, false, g));
    names.clear();
    for (auto &p : seq.named_parameters()) names.push_back(p.first);
    CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight"});
    Tensor out = seq(Tensor::ones({4, 3}));
    CHECK(out.shape() == Shape{4, 1});
    sum(out).backward();
    CHECK(seq.parameters()[0].grad().defined());
    seq.zero_grad();
    CHECK_FALSE(seq.parameters()[0].grad().defined());
}

TEST_CASE("LeNet builders: shapes of encoders and autoencoders") {
    Generator g(2);
    LeNetMnist mnist(true, g);
    Tensor x = Tensor::zeros({3, 1, 28, 28});
    uniform_(x, 0, 1, g);
    CHECK(mnist.encode(x).shape() == Shape{3, 32});
    Tensor rec = mnist(x);
    CHECK(rec.shape() == Shape{3, 1, 28, 28});
    for (float v : rec.to_vector<float>()) CHECK((v > 0 && v < 1));
    LeNetCifar cifar(true, g);
    Tensor xc = Tensor::zeros({2, 3, 32, 32});
    uniform_(xc, 0, 1, g);
    CHECK(cifar.encode(xc).shape() == Shape{2, 128});
    CHECK(cifar(xc).shape() == Shape{2, 3, 32, 32});
    LeNetCifar plain(false, g);
    CHECK(plain(xc).shape() == Shape{2, 128});
    CHECK(plain.parameter_count() == 3 * 32 * 25 + 32 * 64 * 25 + 64 * 128 * 25 + 2048 * 128);
    // The encoder of an autoencoder initialises the network by name.
    LeNetMnist svdd(false, g);
    CHECK(copy_matching_state(svdd, mnist) == 3 + 4);
    CHECK(svdd.parameters()[2].to_vector<float>() == mnist.parameters()[2].to_vector<float>());
}
