// gcn_minmax.cpp — the `gcn_minmax` extractor: the preprocessing of Ruff et
// al., "Deep One-Class Classification" (ICML 2018), reference settings:
// "per-image global contrast normalisation with the L1 norm, then min-max
// scaling with per-normal-class minimum and maximum computed on the training
// images of that class".
//
// Why this plugin exists: Deep SVDD and OC-NN results are only comparable to
// the paper with this exact preprocessing. Ruff et al. hard-coded the
// per-class minima and maxima for MNIST and CIFAR-10; here fit() computes them
// from the training set it is given, which in a one-vs-rest protocol is the
// normal class — so any data set works.
//
// Per sample x with D values:
//   GCN:     x <- x - mean(x);  x <- x / mean(|x|)     (L1 scale)
//   min-max: x <- (x - min) / (max - min)
// where min and max are the smallest and largest GCN'd value over all
// training samples and all positions (two scalars, not per feature).
// The per-sample shape is kept (e.g. 1 x 28 x 28): deep models need images.
#include <vigil/cpp/plugin.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"({
  "type": "object",
  "description": "No parameters: the min-max range is learned by fit from the (normal-class) training images.",
  "properties": {},
  "additionalProperties": false
})";

constexpr uint32_t kStateVersion = 1;

// Global contrast normalisation of sample i into g[0..d-1], in double.
// uint8 input is converted to float values 0..255 without dividing by 255:
// GCN is scale invariant (x -> c x leaves (x - mean) / mean|x - mean| unchanged),
// so Ruff et al.'s ToTensor() / 255 would change nothing.
// A constant sample has mean(|x - mean|) = 0; it stays all zeros (the
// reference code would divide 0 by 0 and produce NaN).
void gcn(const vigil::sdk::TensorRef &x, int64_t i, int64_t d, std::vector<double> &g) {
    x.to_double(i * d, d, g.data());
    double mean = 0.0;
    for (int64_t j = 0; j < d; ++j) mean += g[j];
    mean /= static_cast<double>(d);
    double l1 = 0.0;
    for (int64_t j = 0; j < d; ++j) {
        g[j] -= mean;
        l1 += std::fabs(g[j]);
    }
    l1 /= static_cast<double>(d);
    if (l1 > 0.0)
        for (int64_t j = 0; j < d; ++j) g[j] /= l1;
}

class GcnMinMax : public vigil::sdk::Extractor {
public:
    GcnMinMax(const nlohmann::json &, vigil::sdk::Host host) : host_(host) {}

    vigil_shape output_shape(const vigil_shape &in) override {
        vigil::sdk::shape_elements(in, "gcn_minmax");
        return in;
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        x.require_uint8_or_float32("gcn_minmax");
        const int64_t n = x.samples(), d = vigil::sdk::shape_elements(x.sample_shape(), "gcn_minmax");
        require(n > 0, "gcn_minmax: fit needs at least one training sample");
        std::vector<double> g(static_cast<size_t>(d));
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int64_t i = 0; i < n; ++i) {
            if (i % 1024 == 0) host_.check_cancelled();
            gcn(x, i, d, g);
            const auto mm = std::minmax_element(g.begin(), g.end());
            lo = std::min(lo, *mm.first);
            hi = std::max(hi, *mm.second);
        }
        // hi > lo unless every training image is constant (all GCN'd to zeros).
        if (!(hi > lo))
            fail(VIGIL_ERR_INVALID_ARGUMENT, "gcn_minmax: training data is constant after GCN (every value is " +
                                                 std::to_string(lo) + "), so min-max scaling is undefined");
        min_ = lo;
        max_ = hi;
        fitted_ = true;
    }

    void transform(const vigil::sdk::TensorRef &in, float *out) override {
        require(fitted_, "gcn_minmax: transform called before fit (fit it on the training set, or load a fitted state)",
                VIGIL_ERR_STATE);
        in.require_uint8_or_float32("gcn_minmax");
        const int64_t n = in.samples(), d = vigil::sdk::shape_elements(in.sample_shape(), "gcn_minmax");
        const double range = max_ - min_;
        std::vector<double> g(static_cast<size_t>(d));
        for (int64_t i = 0; i < n; ++i) {
            if (i % 1024 == 0) host_.check_cancelled();
            gcn(in, i, d, g);
            // Finite: |g_j| <= D (one |g_j| is at most sum|g| = D), and range >= 1
            // (a non-constant GCN'd sample has sum g = 0, sum |g| = D, so its
            // maximum is >= 1/2 and its minimum <= -1/2). Test images may fall
            // outside [0, 1].
            for (int64_t j = 0; j < d; ++j) out[i * d + j] = static_cast<float>((g[j] - min_) / range);
        }
    }

    void save(vigil::sdk::Writer &w) override {
        require(fitted_, "gcn_minmax: save called before fit", VIGIL_ERR_STATE);
        w.pod(kStateVersion);
        w.pod(min_);
        w.pod(max_);
    }

    void load(vigil::sdk::Reader &r) override {
        const auto version = r.pod<uint32_t>();
        if (version != kStateVersion) fail(VIGIL_ERR_IO, "gcn_minmax: unknown state version " + std::to_string(version));
        const auto lo = r.pod<double>();
        const auto hi = r.pod<double>();
        r.expect_end();
        if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo))
            fail(VIGIL_ERR_IO, "gcn_minmax: malformed state (min must be finite and below a finite max)");
        min_ = lo;
        max_ = hi;
        fitted_ = true;
    }

private:
    vigil::sdk::Host host_;
    bool fitted_ = false;
    double min_ = 0.0, max_ = 0.0;
};

} // namespace

VIGIL_PLUGIN(GcnMinMax, "gcn_minmax", "1.0.0",
             "Per-image global contrast normalisation (L1) then min-max scaling fitted on the normal training class (Deep SVDD preprocessing)",
             kSchema)
