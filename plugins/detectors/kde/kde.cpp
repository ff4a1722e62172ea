// kde.cpp — the `kde` detector: Parzen's Gaussian kernel density estimate of
// the normal training data (papers/oc-nn-chalapathy-2019.txt §4, "Kernel
// Density Estimation (KDE) as per formulation in Parzen"):
//     p̂(x) = (1/N) Σ_j (2πh²)^(−D/2) exp(−‖x − t_j‖² / (2h²))
//     score(x) = −log p̂(x),   higher = more anomalous
// (scikit-learn's KernelDensity(kernel="gaussian").score_samples is log p̂).
// Bandwidth h: a number, "scott" / "silverman" (scikit-learn 1.2's rules), or
// "cv": k-fold cross-validated log-likelihood over a grid, by default the OC-NN
// paper's h ∈ {2^0.5, 2^1, …, 2^5} with 5 folds (bandwidth.hpp). The chosen h
// is logged. Exact sums over every training sample (no tree pruning), with the
// distances from the backend's GEMM in blocks (log_density.hpp).
// State: D, h, the training matrix.
#include "bandwidth.hpp"
#include "log_density.hpp"

#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "bandwidth": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"enum": ["scott", "silverman", "cv"]}],
                  "default": "scott",
                  "description": "Gaussian kernel width h: a number, 'scott' (N^(-1/(D+4))), 'silverman' ((N(D+2)/4)^(-1/(D+4))) as scikit-learn 1.2 defines them for unit-variance features, or 'cv' (k-fold cross-validated log-likelihood over grid)"},
    "grid": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 1, "maxItems": 1000,
             "description": "bandwidths tried by 'cv' (default: the OC-NN paper's 2^0.5, 2^1, ..., 2^5)"},
    "folds": {"type": "integer", "minimum": 2, "maximum": 100, "default": 5,
              "description": "folds of the 'cv' bandwidth search (contiguous, unshuffled, as scikit-learn's KFold)"}
  }})json";

constexpr uint32_t kStateVersion = 1;

class Kde : public vigil::sdk::Detector {
public:
    Kde(const nlohmann::json &p, vigil::sdk::Host host) : host_(host), backend_(vigil::compute::make_backend(host)) {
        const vigil::sdk::Params params(p, "kde", {"bandwidth", "grid", "folds"});
        if (params.has("bandwidth") && params.raw("bandwidth").is_number())
            fixed_ = params.number("bandwidth", 1.0, 0.0, HUGE_VAL, true);
        else
            rule_ = params.choice("bandwidth", "scott", {"scott", "silverman", "cv"});
        folds_ = static_cast<int>(params.integer("folds", 5, 2, 100));
        grid_ = vigil_kde::paper_grid();
        if (params.has("grid")) {
            const nlohmann::json &g = params.raw("grid");
            require(g.is_array() && !g.empty(), "parameter grid must be a non-empty array of positive numbers");
            grid_.clear();
            for (const auto &v : g) {
                require(v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() > 0,
                        "parameter grid must hold positive numbers, got " + v.dump());
                grid_.push_back(v.get<double>());
            }
        }
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 1, "kde needs at least 1 training sample");
        require(d >= 1, "training samples have no features");
        double h = fixed_;
        if (h <= 0) {
            if (rule_ == "scott") h = vigil_kde::scott(n, d);
            else if (rule_ == "silverman") h = vigil_kde::silverman(n, d);
            else {
                const vigil_kde::CvResult cv = vigil_kde::cross_validate(*backend_, host_, data, n, d, grid_, folds_);
                std::ostringstream msg;
                msg << "kde: bandwidth " << cv.bandwidth << " chosen by " << folds_
                    << "-fold cross-validation (mean held-out log-likelihood per bandwidth:";
                for (size_t b = 0; b < grid_.size(); ++b) msg << " " << grid_[b] << ": " << cv.mean_log_likelihood[b];
                msg << ")";
                host_.info(msg.str());
                h = cv.bandwidth;
            }
        }
        std::vector<float> train(data, data + n * d);
        set_state(d, h, std::move(train));
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(resident_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) +
                                           " features, but the model was fitted on " + std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        std::vector<double> ld(static_cast<size_t>(m));
        vigil_kde::log_density(*backend_, host_, *resident_, data, m, {h_}, ld.data());
        for (int64_t i = 0; i < m; ++i) scores[i] = static_cast<float>(-ld[i]);
    }

    void save(vigil::sdk::Writer &w) override {
        require(resident_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod(kStateVersion);
        w.pod<int64_t>(d_);
        w.pod<double>(h_);
        w.vec(train_);
    }

    void load(vigil::sdk::Reader &r) override {
        const auto version = r.pod<uint32_t>();
        if (version != kStateVersion) fail(VIGIL_ERR_IO, "kde: unknown state version " + std::to_string(version));
        const int64_t d = r.pod<int64_t>();
        const double h = r.pod<double>();
        std::vector<float> t = r.vec<float>();
        r.expect_end();
        if (d <= 0 || t.empty() || t.size() % static_cast<uint64_t>(d) != 0 || !std::isfinite(h) || !(h > 0))
            fail(VIGIL_ERR_IO, "kde state is malformed");
        for (float v : t) if (!std::isfinite(v)) fail(VIGIL_ERR_IO, "kde state holds a non-finite value");
        set_state(d, h, std::move(t));
    }

private:
    void set_state(int64_t d, double h, std::vector<float> train) {
        auto res = backend_->upload(train.data(), static_cast<int64_t>(train.size()) / d, d);
        d_ = d;
        h_ = h;
        train_ = std::move(train);
        resident_ = std::move(res);
    }

    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    double fixed_ = 0;
    std::string rule_ = "scott";
    int folds_ = 5;
    std::vector<double> grid_;
    int64_t d_ = 0;
    double h_ = 1;
    std::vector<float> train_;
    std::unique_ptr<vigil::compute::Resident> resident_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Kde, "kde", "1.0.0",
                     "negative log-density of a Gaussian kernel density estimate of the training set (bandwidth given, Scott, Silverman or cross-validated)",
                     kSchema)
