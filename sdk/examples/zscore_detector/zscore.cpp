// zscore.cpp — "zscore_example": a complete Vigil detector written against the
// installed SDK alone (<vigil/cpp/plugin.hpp>), as a template for third parties.
//
// Method (per-feature z-score):
//   fit:   for every feature j, the training mean m_j and the population
//          standard deviation s_j, floored at `std_floor` so that constant
//          features do not divide by zero;
//   score: for a sample x with D features, the mean squared z-score
//              score(x) = (1/D) * sum_j ((x_j - m_j) / s_j)^2,
//          so HIGHER = MORE ANOMALOUS, as the ABI requires. For Gaussian
//          normal data the score of a normal sample is about 1.
// It treats each sample as a flat vector: an N x C x H x W image batch is
// scored per pixel; put an extractor in front for anything smarter.
//
// What the SDK expects, and where this file does it:
//  - one class derived from vigil::sdk::Detector with a constructor
//    (const nlohmann::json &params, vigil::sdk::Host host) and fit / score /
//    save / load;
//  - failures are thrown as vigil::sdk::Error (via require/fail) with a
//    status code; the SDK turns them into that status plus host->error();
//  - one VIGIL_PLUGIN(...) line at the end exports vigil_plugin_entry.
// Objects are used by one thread at a time; nothing here is global and mutable.
#include <vigil/cpp/plugin.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

// The parameters, as a JSON Schema (the subset the host validates). The host
// checks a pipeline's "params" against it and fills in the default before
// create() sees them; additionalProperties:false makes a typo an error that
// names the key.
constexpr const char *kSchema = R"json({
  "type": "object",
  "description": "Per-feature z-score detector (example plugin).",
  "additionalProperties": false,
  "properties": {
    "std_floor": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 1e-6,
      "description": "Smallest standard deviation used for a feature; features whose training spread is below it (e.g. constant ones) use this value instead."
    }
  }
})json";

// Header of the saved state: a magic tag and a format version, so that load()
// can reject state written by some other plugin or by a future format.
constexpr uint32_t kMagic = 0x5a53434fu;  // "ZSCO"
constexpr uint32_t kStateVersion = 1;

class ZScoreDetector final : public vigil::sdk::Detector {
public:
    ZScoreDetector(const nlohmann::json &params, vigil::sdk::Host host)
        : host_(host), std_floor_(params.value("std_floor", 1e-6)) {
        // The host validated params already; a direct C caller may not have.
        require(std::isfinite(std_floor_) && std_floor_ > 0,
                "std_floor must be a finite number > 0, got " + std::to_string(std_floor_));
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef * /*labels: unused*/) override {
        const float *p = x.f32();  // throws INVALID_ARGUMENT unless float32
        x.require_finite();        // NaN/Inf -> INVALID_ARGUMENT naming the sample
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 2, "training data: need at least 2 samples to estimate a spread, got " + std::to_string(n));
        require(d >= 1, "training data: samples have no features");

        // Two passes in double precision (mean, then squared deviations): exact
        // enough for any realistic N and independent of batch boundaries.
        // New state goes to locals first, so a failed refit leaves the old one.
        std::vector<double> mean(static_cast<size_t>(d), 0.0), var(static_cast<size_t>(d), 0.0);
        for (int64_t i = 0; i < n; ++i) {
            const float *row = p + i * d;
            for (int64_t j = 0; j < d; ++j) mean[j] += row[j];
            poll(i, n, "mean");
        }
        for (auto &m : mean) m /= static_cast<double>(n);
        for (int64_t i = 0; i < n; ++i) {
            const float *row = p + i * d;
            for (int64_t j = 0; j < d; ++j) {
                const double t = row[j] - mean[j];
                var[j] += t * t;
            }
            poll(i, n, "variance");
        }
        std::vector<double> scale(static_cast<size_t>(d));
        int64_t floored = 0;
        for (int64_t j = 0; j < d; ++j) {
            const double s = std::sqrt(var[j] / static_cast<double>(n));
            floored += s < std_floor_;
            scale[j] = 1.0 / (s < std_floor_ ? std_floor_ : s);
        }
        if (floored > 0)
            host_.info(std::to_string(floored) + " of " + std::to_string(d) +
                       " features have a spread below std_floor and use std_floor instead");
        mean_ = std::move(mean);
        inv_std_ = std::move(scale);
        host_.progress(static_cast<uint64_t>(n), static_cast<uint64_t>(n), "fit");
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(fitted(), "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *p = x.f32();
        const int64_t d = static_cast<int64_t>(mean_.size());
        require(x.sample_size() == d, "scoring data: samples have " + std::to_string(x.sample_size()) +
                                          " values, but the detector was fitted on " + std::to_string(d));
        x.require_finite();
        for (int64_t i = 0; i < x.samples(); ++i) {
            const float *row = p + i * d;
            double sum = 0.0;
            for (int64_t j = 0; j < d; ++j) {
                const double z = (row[j] - mean_[j]) * inv_std_[j];
                sum += z * z;
            }
            // Scores must be finite floats: saturate instead of overflowing to Inf.
            const double s = sum / static_cast<double>(d);
            scores[i] = s < static_cast<double>(FLT_MAX) ? static_cast<float>(s) : FLT_MAX;
        }
    }

    // State: magic, format version, D, then D means and D inverse spreads.
    // The parameters are not saved: the host passes them to create() before load().
    void save(vigil::sdk::Writer &w) override {
        require(fitted(), "save called before fit", VIGIL_ERR_STATE);
        w.pod(kMagic);
        w.pod(kStateVersion);
        w.vec(mean_);
        w.vec(inv_std_);
    }

    void load(vigil::sdk::Reader &r) override {
        // Reader throws VIGIL_ERR_IO on truncation; malformed content is IO too.
        if (r.pod<uint32_t>() != kMagic) fail(VIGIL_ERR_IO, "state is not zscore_example state (bad magic)");
        const uint32_t version = r.pod<uint32_t>();
        if (version != kStateVersion)
            fail(VIGIL_ERR_IO, "state format version " + std::to_string(version) + " is not supported (expected " +
                                   std::to_string(kStateVersion) + ")");
        std::vector<double> mean = r.vec<double>(), inv_std = r.vec<double>();
        r.expect_end();
        if (mean.empty() || mean.size() != inv_std.size())
            fail(VIGIL_ERR_IO, "state is malformed (feature counts " + std::to_string(mean.size()) + " and " +
                                   std::to_string(inv_std.size()) + ")");
        for (size_t j = 0; j < mean.size(); ++j)
            if (!std::isfinite(mean[j]) || !std::isfinite(inv_std[j]) || inv_std[j] <= 0)
                fail(VIGIL_ERR_IO, "state is malformed (non-finite statistics for feature " + std::to_string(j) + ")");
        mean_ = std::move(mean);
        inv_std_ = std::move(inv_std);
    }

private:
    bool fitted() const { return !mean_.empty(); }

    // Every 4096 rows: report progress and honour the host's cancel flag.
    void poll(int64_t i, int64_t n, const char *step) const {
        if ((i & 4095) != 4095) return;
        host_.progress(static_cast<uint64_t>(i + 1), static_cast<uint64_t>(n), step);
        host_.check_cancelled();  // throws Error(VIGIL_ERR_CANCELLED)
    }

    vigil::sdk::Host host_;
    double std_floor_;
    std::vector<double> mean_;     // per-feature training mean
    std::vector<double> inv_std_;  // per-feature 1 / max(std, std_floor)
};

} // namespace

// Exports vigil_plugin_entry: name, plugin version, one-line description and
// parameter schema; kind (detector) comes from the base class, backend = cpu,
// probe = "always runs" (score 100).
VIGIL_PLUGIN(ZScoreDetector, "zscore_example", "1.0.0",
             "example: mean squared per-feature z-score against the training set (higher = more anomalous)", kSchema)
