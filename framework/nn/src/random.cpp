// random.cpp — Generator and the torch.nn.init schemes.
#include "autograd.hpp"

#include <vigil/nn/random.hpp>

#include <cmath>

namespace vigil::nn {

double Generator::uniform() { return static_cast<double>(eng_() >> 11) * (1.0 / 9007199254740992.0); }
double Generator::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Generator::normal(double mean, double stddev) {
    if (has_spare_) {
        has_spare_ = false;
        return mean + stddev * spare_;
    }
    // Box–Muller on (0, 1] × [0, 1).
    const double u1 = 1.0 - uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1)), t = 2.0 * 3.14159265358979323846 * u2;
    spare_ = r * std::sin(t);
    has_spare_ = true;
    return mean + stddev * r * std::cos(t);
}

uint64_t Generator::below(uint64_t n) {
    if (n == 0) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Generator::below(0)");
    // Rejection sampling: unbiased for every n.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do r = eng_();
    while (r >= limit);
    return r % n;
}

std::vector<int64_t> Generator::permutation(int64_t n) {
    std::vector<int64_t> p(static_cast<size_t>(std::max<int64_t>(n, 0)));
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<int64_t>(i);
    shuffle(p);
    return p;
}

namespace {
void fill_host(Tensor &t, const std::vector<double> &v) {
    if (t.dtype() == DType::i32) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "random fill of an int32 tensor");
    NoGrad ng;
    t.copy_(Tensor::from_vector(v, t.shape()));
}
int64_t receptive(const Shape &s) {
    int64_t r = 1;
    for (size_t i = 2; i < s.size(); ++i) r *= s[i];
    return r;
}
} // namespace

void uniform_(Tensor &t, double lo, double hi, Generator &gen) {
    std::vector<double> v(static_cast<size_t>(t.numel()));
    for (double &x : v) x = gen.uniform(lo, hi);
    fill_host(t, v);
}
void normal_(Tensor &t, double mean, double stddev, Generator &gen) {
    std::vector<double> v(static_cast<size_t>(t.numel()));
    for (double &x : v) x = gen.normal(mean, stddev);
    fill_host(t, v);
}

int64_t fan_in(const Shape &s) {
    if (s.size() < 2) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "fan_in needs a weight of rank >= 2, got " + shape_str(s));
    return s[1] * receptive(s);
}
int64_t fan_out(const Shape &s) {
    if (s.size() < 2) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "fan_out needs a weight of rank >= 2, got " + shape_str(s));
    return s[0] * receptive(s);
}

void kaiming_uniform_(Tensor &w, double a, Generator &gen) {
    const double gain = std::sqrt(2.0 / (1.0 + a * a));
    const double bound = gain * std::sqrt(3.0 / double(fan_in(w.shape())));
    uniform_(w, -bound, bound, gen);
}
void kaiming_normal_(Tensor &w, Generator &gen) { normal_(w, 0.0, std::sqrt(2.0 / double(fan_in(w.shape()))), gen); }
void xavier_uniform_(Tensor &w, double gain, Generator &gen) {
    const double bound = gain * std::sqrt(6.0 / double(fan_in(w.shape()) + fan_out(w.shape())));
    uniform_(w, -bound, bound, gen);
}

} // namespace vigil::nn
