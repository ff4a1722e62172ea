// nn_test_util.hpp — helpers of the vigil::nn tests: random tensors, a
// finite-difference gradient check, comparisons, an in-memory Writer/Reader.
#pragma once

#include <doctest/doctest.h>
#include <vigil/nn/nn.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace nt {

using namespace vigil::nn;

inline Tensor rand_t(const Shape &s, Generator &g, double lo = -1.0, double hi = 1.0, DType dt = DType::f64) {
    Tensor t = Tensor::empty(s, dt);
    uniform_(t, lo, hi, g);
    return t;
}

inline Tensor vals(const std::vector<double> &v, const Shape &s, DType dt = DType::f64) {
    return Tensor::from_vector(v, s).to(dt);
}

// Largest |a − b| / (atol + rtol·|b|) over the elements; ≤ 1 means "close".
inline double closeness(const std::vector<double> &a, const std::vector<double> &b, double atol, double rtol) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double r = std::abs(a[i] - b[i]) / (atol + rtol * std::abs(b[i]));
        if (!(r <= worst)) worst = r;  // NaN-safe: NaN makes it fail
        if (std::isnan(a[i]) || std::isnan(b[i])) worst = INFINITY;
    }
    return worst;
}

inline void check_close(const Tensor &a, const std::vector<double> &b, double atol = 1e-12, double rtol = 1e-9) {
    const std::vector<double> av = a.to_vector<double>();
    REQUIRE(av.size() == b.size());
    for (size_t i = 0; i < b.size(); ++i) {
        INFO("element " << i << ": " << av[i] << " vs " << b[i]);
        CHECK(std::abs(av[i] - b[i]) <= atol + rtol * std::abs(b[i]));
    }
}

using Fn = std::function<Tensor(const std::vector<Tensor> &)>;

// Checks the gradients backward() gives for L = Σ f(inputs) ∘ R (R random,
// fixed) against central finite differences, for every element of every
// input (float64). Inputs listed in `constant` are not differentiated.
inline void gradcheck(const std::string &name, const Fn &f, std::vector<Tensor> inputs, double eps = 1e-6,
                      double atol = 1e-7, double rtol = 1e-5, std::vector<bool> constant = {}) {
    INFO("op: " << name);
    constant.resize(inputs.size(), false);
    // Fresh leaves: callers reuse input tensors across checks, and gradients accumulate.
    for (size_t i = 0; i < inputs.size(); ++i) {
        inputs[i] = inputs[i].detach().clone();
        if (!constant[i]) inputs[i].requires_grad_(true);
    }
    Tensor out = f(inputs);
    Generator g(4242);
    const Tensor R = rand_t(out.shape(), g, -1.0, 1.0, out.dtype());
    Tensor loss = sum(out * R);
    loss.backward();
    auto eval = [&](const std::vector<Tensor> &in) {
        NoGrad ng;
        return sum(f(in) * R).item();
    };
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (constant[i]) continue;
        INFO("input " << i << " " << inputs[i].describe());
        const std::vector<double> x = inputs[i].to_vector<double>();
        std::vector<double> analytic(x.size(), 0.0);
        if (inputs[i].grad().defined()) analytic = inputs[i].grad().to_vector<double>();
        std::vector<double> numeric(x.size());
        for (size_t j = 0; j < x.size(); ++j) {
            std::vector<Tensor> in = inputs;
            std::vector<double> xp = x;
            xp[j] = x[j] + eps;
            in[i] = Tensor::from_vector(xp, inputs[i].shape());
            const double fp = eval(in);
            xp[j] = x[j] - eps;
            in[i] = Tensor::from_vector(xp, inputs[i].shape());
            const double fm = eval(in);
            numeric[j] = (fp - fm) / (2 * eps);
        }
        const double c = closeness(analytic, numeric, atol, rtol);
        if (!(c <= 1.0)) {
            for (size_t j = 0; j < x.size(); ++j)
                if (std::abs(analytic[j] - numeric[j]) > atol + rtol * std::abs(numeric[j]))
                    MESSAGE("  element " << j << ": analytic " << analytic[j] << " numeric " << numeric[j]);
        }
        CHECK(c <= 1.0);
    }
}

// In-memory byte sink and source for save/load.
struct Buffer {
    std::vector<unsigned char> bytes;
    size_t pos = 0;
    vigil_writer writer() {
        vigil_writer w{sizeof(vigil_writer), this, [](void *ctx, const void *p, size_t n) -> vigil_status {
                           auto *b = static_cast<Buffer *>(ctx);
                           const auto *c = static_cast<const unsigned char *>(p);
                           b->bytes.insert(b->bytes.end(), c, c + n);
                           return VIGIL_OK;
                       }};
        return w;
    }
    vigil_reader reader() {
        vigil_reader r{sizeof(vigil_reader), this,
                       [](void *ctx, void *p, size_t n) -> vigil_status {
                           auto *b = static_cast<Buffer *>(ctx);
                           if (b->bytes.size() - b->pos < n) return VIGIL_ERR_IO;
                           std::memcpy(p, b->bytes.data() + b->pos, n);
                           b->pos += n;
                           return VIGIL_OK;
                       },
                       [](void *ctx) -> uint64_t {
                           auto *b = static_cast<Buffer *>(ctx);
                           return b->bytes.size() - b->pos;
                       }};
        return r;
    }
};

// The status code of the vigil::sdk::Error that fn throws (VIGIL_OK if none).
inline vigil_status error_code(const std::function<void()> &fn, std::string *message = nullptr) {
    try {
        fn();
    } catch (const vigil::sdk::Error &e) {
        if (message) *message = e.what();
        return e.code();
    }
    return VIGIL_OK;
}

} // namespace nt
