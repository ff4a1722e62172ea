// models_test.cpp — the Wide-ResNet builder and the all-in-one coupling
// block: shapes, parameter counts, gradients (float64 finite differences),
// exact inverse, log-determinant against a numerical Jacobian.
#include "nn_test_util.hpp"

#include <cmath>

using namespace nt;

namespace {
int64_t wrn_params(int depth, int k, int64_t in, int64_t classes) {
    const int n = (depth - 4) / 6;
    const int64_t ch[4] = {16, 16 * k, 32 * k, 64 * k};
    int64_t total = in * ch[0] * 9;
    int64_t c = ch[0];
    for (int g = 0; g < 3; ++g)
        for (int b = 0; b < n; ++b) {
            const int64_t o = ch[g + 1];
            total += 2 * c + c * o * 9 + 2 * o + o * o * 9;  // bn1, conv1, bn2, conv2
            if (c != o || (b == 0 && g > 0)) total += c * o;  // 1×1 shortcut
            c = o;
        }
    return total + 2 * c + c * classes + classes;  // final bn, linear
}
} // namespace

TEST_CASE("Wide-ResNet: WRN-10-4 and WRN-16-8 shapes and parameter counts") {
    Generator g(1);
    WideResNet wrn(10, 4, 3, 72, g);
    CHECK(wrn.parameter_count() == wrn_params(10, 4, 3, 72));
    CHECK(wrn.feature_dim() == 256);
    Tensor x = rand_t({2, 3, 32, 32}, g, -1, 1, DType::f32);
    CHECK(wrn(x).shape() == Shape{2, 72});
    CHECK(wrn.features(x).shape() == Shape{2, 256});
    WideResNet wrn16(16, 8, 3, 72, g);
    CHECK(wrn16.parameter_count() == wrn_params(16, 8, 3, 72));
    CHECK(wrn16.named_parameters().size() == wrn16.parameters().size());
    std::string msg;
    CHECK(error_code([&] { WideResNet bad(12, 1, 3, 10, g); }, &msg) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(msg.find("6n + 4") != std::string::npos);
    // He-normal convolutions: sample variance ≈ 2 / fan_in.
    const auto w = wrn16.named_parameters()[0].second.to_vector<double>();
    double s2 = 0;
    for (double v : w) s2 += v * v;
    CHECK(std::abs(s2 / double(w.size()) / (2.0 / 27) - 1) < 0.2);
}

TEST_CASE("Wide-ResNet: input gradients by finite differences (float64), and it learns") {
    Generator g(2);
    WideResNet wrn(10, 1, 2, 3, g);
    wrn.to(DType::f64);
    CHECK(wrn.parameters()[0].dtype() == DType::f64);
    gradcheck("WRN-10-1 forward", [&](auto &in) { return wrn(in[0]); }, {rand_t({2, 2, 4, 4}, g)}, 1e-6, 1e-6, 1e-4);
    // Three steps of Adam on a fixed batch lower the loss.
    wrn.to(DType::f32);
    Tensor x = rand_t({8, 2, 8, 8}, g, -1, 1, DType::f32);
    const Tensor y = Tensor::from_vector(std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0, 1}, {8});
    Adam opt(wrn.parameters(), AdamOptions{1e-2});
    double first = 0, last = 0;
    for (int it = 0; it < 10; ++it) {
        opt.zero_grad();
        Tensor loss = cross_entropy(wrn(x), y);
        loss.backward();
        opt.step();
        (it == 0 ? first : last) = loss.item();
    }
    CHECK(last < first);
}

TEST_CASE("all-in-one coupling block: exact inverse and initial global scale") {
    Generator g(3);
    AllInOneBlock block(7, mlp_subnet(16), g);
    // Global scale starts at global_affine_init = 1.
    check_close(softplus(block.global_scale, 0.5, 20.0) * 0.1, std::vector<double>(7, 1.0), 1e-6, 1e-6);
    // Make the coupling non-trivial, then check y → x → y.
    {
        NoGrad ng;
        for (auto &p : block.subnet->parameters()) p.copy_(p * 5.0);
        uniform_(block.global_offset, -0.5, 0.5, g);
    }
    const Tensor x = rand_t({5, 7}, g, -2, 2, DType::f32);
    const auto [y, ld] = block.forward_with_logdet(x);
    const auto [xr, ldr] = block.inverse_with_logdet(y);
    check_close(xr, x.to_vector<double>(), 1e-5, 1e-5);
    check_close(ld + ldr, std::vector<double>(5, 0.0), 1e-5);
    CHECK(y.to_vector<float>() != x.to_vector<float>());
    // The permutation is a buffer: saved and restored with the model.
    Buffer buf;
    vigil_writer w = buf.writer();
    vigil::sdk::Writer writer(&w);
    save_state(block, writer);
    Generator other(99);
    AllInOneBlock copy(7, mlp_subnet(16), other);
    vigil_reader r = buf.reader();
    vigil::sdk::Reader reader(&r);
    load_state(copy, reader);
    CHECK(copy(x).to_vector<float>() == block(x).to_vector<float>());
}

TEST_CASE("all-in-one coupling block: log-determinant equals log|det| of the numerical Jacobian") {
    Generator g(4);
    AllInOneBlock block(5, mlp_subnet(8), g, 2.0, 0.7);
    {
        NoGrad ng;
        for (auto &p : block.subnet->parameters()) p.copy_(p * 4.0);
    }
    block.to(DType::f64);
    const Tensor x = rand_t({1, 5}, g, -1, 1);
    const double ld = block.forward_with_logdet(x).second.item();
    // Jacobian by central differences, then log|det| by Gaussian elimination.
    const auto xv = x.to_vector<double>();
    const double eps = 1e-6;
    std::vector<double> J(25);
    for (int j = 0; j < 5; ++j) {
        auto xp = xv, xm = xv;
        xp[static_cast<size_t>(j)] += eps;
        xm[static_cast<size_t>(j)] -= eps;
        const auto yp = block(Tensor::from_vector(xp, {1, 5})).to_vector<double>();
        const auto ym = block(Tensor::from_vector(xm, {1, 5})).to_vector<double>();
        for (int i = 0; i < 5; ++i) J[static_cast<size_t>(i * 5 + j)] = (yp[static_cast<size_t>(i)] - ym[static_cast<size_t>(i)]) / (2 * eps);
    }
    double logdet = 0;
    for (int c = 0; c < 5; ++c) {
        int piv = c;
        for (int r = c + 1; r < 5; ++r)
            if (std::abs(J[static_cast<size_t>(r * 5 + c)]) > std::abs(J[static_cast<size_t>(piv * 5 + c)])) piv = r;
        for (int k = 0; k < 5; ++k) std::swap(J[static_cast<size_t>(c * 5 + k)], J[static_cast<size_t>(piv * 5 + k)]);
        const double d = J[static_cast<size_t>(c * 5 + c)];
        logdet += std::log(std::abs(d));
        for (int r = c + 1; r < 5; ++r) {
            const double f = J[static_cast<size_t>(r * 5 + c)] / d;
            for (int k = c; k < 5; ++k) J[static_cast<size_t>(r * 5 + k)] -= f * J[static_cast<size_t>(c * 5 + k)];
        }
    }
    CHECK(std::abs(logdet - ld) < 1e-6);
}

TEST_CASE("all-in-one coupling block: gradients by finite differences (float64)") {
    Generator g(5);
    AllInOneBlock block(6, mlp_subnet(8), g);
    {
        NoGrad ng;
        for (auto &p : block.subnet->parameters()) p.copy_(p * 3.0);
        uniform_(block.global_offset, -0.5, 0.5, g);
    }
    block.to(DType::f64);
    const Tensor x = rand_t({3, 6}, g, -1.5, 1.5);
    gradcheck("coupling forward", [&](auto &in) { return block(in[0]); }, {x});
    gradcheck("coupling log-det", [&](auto &in) { return block.forward_with_logdet(in[0]).second; }, {x});
    gradcheck("coupling inverse", [&](auto &in) { return block.inverse(in[0]); }, {x});
    // Parameter gradients: the global affine parameters, through a loss on y and the log-det.
    block.zero_grad();  // the checks above accumulated into the parameters' gradients
    Tensor loss = sum(square(block(x))) - sum(block.forward_with_logdet(x).second);
    loss.backward();
    const auto analytic = block.global_offset.grad().to_vector<double>();
    for (int j = 0; j < 6; ++j) {
        auto eval = [&](double delta) {
            NoGrad ng;
            auto v = block.global_offset.to_vector<double>();
            v[static_cast<size_t>(j)] += delta;
            block.global_offset.copy_(Tensor::from_vector(v, {1, 6}));
            const double r = (sum(square(block(x))) - sum(block.forward_with_logdet(x).second)).item();
            v[static_cast<size_t>(j)] -= delta;
            block.global_offset.copy_(Tensor::from_vector(v, {1, 6}));
            return r;
        };
        const double numeric = (eval(1e-6) - eval(-1e-6)) / 2e-6;
        CHECK(std::abs(numeric - analytic[static_cast<size_t>(j)]) < 1e-6 + 1e-5 * std::abs(numeric));
    }
}
