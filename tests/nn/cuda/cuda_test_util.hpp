// cuda_test_util.hpp — what the test_nn_cuda cases share: the skip rule
// (no usable device: every case returns early with the probe's message) and
// the cuda-vs-cpu agreement check of an op's values and gradients.
#pragma once

#include "nn_test_util.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace nt_cuda {

using namespace nt;

// True when a device is usable; otherwise reports the probe's reason and
// the calling case returns (counted as run, with the message in the log).
inline bool device_or_skip() {
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

// f on copies of the inputs on device d (all requiring gradients), then the
// gradients of Σ f(inputs) ∘ R for a fixed random R.
inline Run run_on(Device d, const Fn &f, const std::vector<Tensor> &inputs_cpu) {
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

inline double max_abs(const std::vector<double> &v, double floor = 1e-3) {
    double s = floor;
    for (double x : v) s = std::max(s, std::abs(x));
    return s;
}

// cuda within tol of cpu, relative to each element and to the largest
// magnitude of the result (atol = tol · max|cpu|), for the output and for
// every input's gradient.
inline void agree(const std::string &name, const Fn &f, const std::vector<Tensor> &inputs, double tol = 1e-4) {
    INFO("op: " << name);
    const Run c = run_on(Device::cpu, f, inputs), g = run_on(Device::cuda, f, inputs);
    CHECK(closeness(g.out, c.out, tol * max_abs(c.out), tol) <= 1.0);
    for (size_t i = 0; i < c.grads.size(); ++i) {
        INFO("gradient of input " << i);
        CHECK(closeness(g.grads[i], c.grads[i], tol * max_abs(c.grads[i]), tol) <= 1.0);
    }
}

inline Tensor r32(const Shape &s, Generator &g, double lo = -1, double hi = 1) { return rand_t(s, g, lo, hi, DType::f32); }

} // namespace nt_cuda
