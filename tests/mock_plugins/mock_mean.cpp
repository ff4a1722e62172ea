// mock_mean.cpp — a minimal SDK detector (squared distance to the training
// mean) compiled with switches that make it misbehave on purpose, so host
// tests can check how failures are reported. Not a method: a test double.
#include <vigil/cpp/plugin.hpp>

#include <cstdio>
#include <limits>
#include <stdexcept>

#ifndef MOCK_NAME
#define MOCK_NAME "mock_mean"
#endif

namespace {

const char *kSchema = R"({"type":"object","additionalProperties":false,
  "properties":{"scale":{"type":"number","exclusiveMinimum":0,"default":1,"description":"score multiplier"}}})";

class MockMean : public vigil::sdk::Detector {
public:
    MockMean(const nlohmann::json &p, vigil::sdk::Host host) : scale_(p.value("scale", 1.0)), host_(host) {}
    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
#ifdef MOCK_FIT_THROWS
        (void)x;
        throw std::runtime_error("mock failure inside fit");
#else
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        vigil::sdk::require(n > 0, "need at least one training sample");
        mean_.assign(static_cast<size_t>(d), 0.0f);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < d; ++j) mean_[j] += x.f32()[i * d + j] / static_cast<float>(n);
        host_.progress(1, 1, "fit");
#endif
    }
    void score(const vigil::sdk::TensorRef &x, float *out) override {
        vigil::sdk::require(!mean_.empty(), "score before fit", VIGIL_ERR_STATE);
        const int64_t d = x.sample_size();
        vigil::sdk::require(d == static_cast<int64_t>(mean_.size()), "feature count differs from fit");
        for (int64_t i = 0; i < x.samples(); ++i) {
            float s = 0;
            for (int64_t j = 0; j < d; ++j) {
                const float t = x.f32()[i * d + j] - mean_[j];
                s += t * t;
            }
            out[i] = static_cast<float>(scale_) * s;
#ifdef MOCK_NAN_SCORES
            out[i] = std::numeric_limits<float>::quiet_NaN();
#endif
        }
    }
    void save(vigil::sdk::Writer &w) override { w.vec(mean_); }
    void load(vigil::sdk::Reader &r) override {
        mean_ = r.vec<float>();
        r.expect_end();
    }

private:
    double scale_;
    vigil::sdk::Host host_;
    std::vector<float> mean_;
};

int32_t mock_probe(char *reason, size_t n) noexcept {
    if (MOCK_PROBE == 0 && reason && n) std::snprintf(reason, n, "no usable CUDA device: mock device absent");
    return MOCK_PROBE;
}

} // namespace

VIGIL_PLUGIN_EX(MockMean, MOCK_NAME, "1.0.0", "test double: squared distance to the training mean", kSchema,
                MOCK_BACKEND, &mock_probe)
