// standardize.cpp — the `standardize` extractor: flattens each sample and
// rescales every feature to zero mean and unit variance on the training set,
// as scikit-learn's StandardScaler does.
//
// Why this plugin exists: distance- and kernel-based detectors (kNN, OC-SVM,
// Mahalanobis with regularisation) are sensitive to feature scales; features
// from different extractors or raw tabular data need a common scale first.
#include <vigil/cpp/plugin.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"({
  "type": "object",
  "properties": {
    "with_mean": {
      "type": "boolean",
      "default": true,
      "description": "Subtract the per-feature training mean."
    },
    "with_std": {
      "type": "boolean",
      "default": true,
      "description": "Divide by the per-feature training standard deviation (population, ddof = 0); a feature that is constant on the training set is divided by 1."
    }
  },
  "additionalProperties": false
})";

constexpr uint32_t kStateVersion = 1;

class Standardize : public vigil::sdk::Extractor {
public:
    Standardize(const nlohmann::json &p, vigil::sdk::Host host)
        : host_(host), with_mean_(p.value("with_mean", true)), with_std_(p.value("with_std", true)) {}

    vigil_shape output_shape(const vigil_shape &in) override {
        vigil_shape out{};
        out.rank = 1;
        out.dims[0] = vigil::sdk::shape_elements(in, "standardize");
        return out;
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const int64_t n = x.samples(), d = vigil::sdk::shape_elements(x.sample_shape(), "standardize");
        require(n > 0, "standardize: fit needs at least one training sample");
        x.require_uint8_or_float32("standardize");
        // Two passes in double: mean_j = sum_i x_ij / n, then the population
        // variance var_j = sum_i (x_ij - mean_j)^2 / n (ddof = 0, as
        // StandardScaler). For a constant feature the sum n * c is exact in
        // double (float has 24 significant bits, n < 2^29), so mean_j = c and
        // var_j = 0 exactly: constant features are recognised without a tolerance.
        std::vector<double> mean(static_cast<size_t>(d), 0.0), var(static_cast<size_t>(d), 0.0);
        std::vector<double> row(static_cast<size_t>(d)); // sample i, as double (exact)
        for (int64_t i = 0; i < n; ++i) {
            if (i % 1024 == 0) host_.check_cancelled();
            x.to_double(i * d, d, row.data());
            for (int64_t j = 0; j < d; ++j) mean[j] += row[j];
        }
        for (double &m : mean) m /= static_cast<double>(n);
        for (int64_t i = 0; i < n; ++i) {
            if (i % 1024 == 0) host_.check_cancelled();
            x.to_double(i * d, d, row.data());
            for (int64_t j = 0; j < d; ++j) {
                const double c = row[j] - mean[j];
                var[j] += c * c;
            }
        }
        center_.assign(static_cast<size_t>(d), 0.0);
        scale_.assign(static_cast<size_t>(d), 1.0);
        for (int64_t j = 0; j < d; ++j) {
            if (with_mean_) center_[j] = mean[j];
            const double sd = std::sqrt(var[j] / static_cast<double>(n));
            // sklearn's _handle_zeros_in_scale: a zero standard deviation becomes 1.
            if (with_std_ && sd > 0.0) scale_[j] = sd;
        }
    }

    void transform(const vigil::sdk::TensorRef &in, float *out) override {
        require(!center_.empty(), "standardize: transform called before fit (fit it on the training set, or load a fitted state)",
                VIGIL_ERR_STATE);
        const int64_t n = in.samples(), d = vigil::sdk::shape_elements(in.sample_shape(), "standardize");
        require(d == static_cast<int64_t>(center_.size()),
                "standardize: input has " + std::to_string(d) + " features per sample, but fit saw " +
                    std::to_string(center_.size()));
        in.require_uint8_or_float32("standardize");
        std::vector<double> row(static_cast<size_t>(d));
        for (int64_t i = 0; i < n; ++i) {
            if (i % 1024 == 0) host_.check_cancelled();
            in.to_double(i * d, d, row.data());
            for (int64_t j = 0; j < d; ++j) {
                // z = (x - mean) / std, in double, rounded once to float.
                const float z = static_cast<float>((row[j] - center_[j]) / scale_[j]);
                if (!std::isfinite(z))
                    fail(VIGIL_ERR_INVALID_ARGUMENT, "standardize: sample " + std::to_string(i) + ", feature " +
                                                         std::to_string(j) + " overflows float32 after scaling");
                out[i * d + j] = z;
            }
        }
    }

    // State: version, centre (0 where with_mean is false), scale (1 where
    // with_std is false or the feature was constant).
    void save(vigil::sdk::Writer &w) override {
        require(!center_.empty(), "standardize: save called before fit", VIGIL_ERR_STATE);
        w.pod(kStateVersion);
        w.vec(center_);
        w.vec(scale_);
    }

    void load(vigil::sdk::Reader &r) override {
        const auto version = r.pod<uint32_t>();
        if (version != kStateVersion)
            fail(VIGIL_ERR_IO, "standardize: unknown state version " + std::to_string(version));
        std::vector<double> center = r.vec<double>();
        std::vector<double> scale = r.vec<double>();
        r.expect_end();
        if (center.empty() || center.size() != scale.size())
            fail(VIGIL_ERR_IO, "standardize: malformed state (" + std::to_string(center.size()) + " means, " +
                                   std::to_string(scale.size()) + " scales)");
        for (size_t j = 0; j < center.size(); ++j)
            if (!std::isfinite(center[j]) || !std::isfinite(scale[j]) || !(scale[j] > 0.0))
                fail(VIGIL_ERR_IO, "standardize: malformed state (feature " + std::to_string(j) +
                                       " has a non-finite mean or a non-positive scale)");
        center_ = std::move(center);
        scale_ = std::move(scale);
    }

private:
    vigil::sdk::Host host_;
    bool with_mean_, with_std_;
    std::vector<double> center_, scale_; // empty until fit or load
};

} // namespace

VIGIL_PLUGIN(Standardize, "standardize", "1.0.0",
             "Flattens each sample and scales every feature to zero mean and unit variance on the training set (like sklearn's StandardScaler)",
             kSchema)
