// random.hpp — seeded, reproducible randomness for initialisation, shuffling
// and dropout.
//
// Decisions: the standard library's distributions (uniform_real_distribution,
// normal_distribution, shuffle) are implementation-defined, so the same seed
// could give different weights with another standard library. Generator uses
// mt19937_64 (fully specified by the standard) for raw 64-bit words and does
// every conversion itself: uniform doubles from the top 53 bits, normals by
// Box–Muller, Fisher–Yates shuffles with unbiased bounded integers. All
// initialisation draws happen on the host in double and are converted once,
// so a seed gives bit-identical weights on every backend.
// Every random consumer takes a Generator explicitly (no global state): a
// plugin seeds one from Host::seed() and passes it on.
#pragma once

#include <vigil/nn/tensor.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace vigil::nn {

class Generator {
public:
    explicit Generator(uint64_t seed = 0) : eng_(seed) {}
    void seed(uint64_t s) { eng_.seed(s); has_spare_ = false; }
    uint64_t next_u64() { return eng_(); }
    double uniform();                        // [0, 1)
    double uniform(double lo, double hi);    // [lo, hi)
    double normal(double mean = 0.0, double stddev = 1.0);
    uint64_t below(uint64_t n);              // uniform integer in [0, n), n > 0
    // Random permutation of 0..n-1 (Fisher–Yates).
    std::vector<int64_t> permutation(int64_t n);
    template <class T> void shuffle(std::vector<T> &v) {
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(below(i))]);
    }

private:
    std::mt19937_64 eng_;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// Fill a tensor (any device, f32/f64) with draws made on the host.
void uniform_(Tensor &t, double lo, double hi, Generator &gen);
void normal_(Tensor &t, double mean, double stddev, Generator &gen);

// torch.nn.init conventions. For a weight of shape [d0, d1, k...], fan_in is
// d1·prod(k) and fan_out d0·prod(k) (as torch computes them, including for
// ConvTranspose2d's [in, out, kh, kw] weights).
int64_t fan_in(const Shape &weight_shape);
int64_t fan_out(const Shape &weight_shape);
// kaiming_uniform_(w, a): U(±gain·√(3 / fan_in)), gain = √(2 / (1 + a²)).
// torch's default for Linear/Conv weights is a = √5, i.e. U(±1/√fan_in).
void kaiming_uniform_(Tensor &w, double a, Generator &gen);
// kaiming_normal_(w, fan_in mode, ReLU gain): N(0, 2 / fan_in) — "He normal".
void kaiming_normal_(Tensor &w, Generator &gen);
// xavier_uniform_(w, gain): U(±gain·√(6 / (fan_in + fan_out))). Deep SVDD's
// CIFAR-10 autoencoder uses gain = calculate_gain('leaky_relu') = √(2 / (1 + 0.01²)).
void xavier_uniform_(Tensor &w, double gain, Generator &gen);

} // namespace vigil::nn
