// pca_detector.cpp — the `pca` detector: a test sample is anomalous when the
// principal subspace of the normal training data reconstructs it badly.
//
// Fit (framework/classic/pca.hpp): mean μ and the covariance eigenvectors of
// the training set; keep the k leading axes U_k (k x D), k given by
// `components`, or else the smallest k explaining more than `variance` of the
// total variance (scikit-learn's PCA(n_components=fraction) rule).
// Score: the squared reconstruction error (papers/geometric-transformations-
// golan-2018.txt §2 "reconstruction-based anomaly score", the ℓ2 distance
// between a sample and its reconstruction):
//     score(x) = ‖(x − μ) − U_kᵀ U_k (x − μ)‖²,   higher = more anomalous.
// The residual is formed explicitly (two GEMMs on the backend: z = U_k(x − μ),
// r = (x − μ) − U_kᵀz) rather than as ‖x − μ‖² − ‖z‖², which cancels badly in
// float when the kept axes explain almost everything.
// Note: PyOD's "PCA" detector (papers/iocn-schmier-2024.txt Table 1) scores the
// variance-weighted distances along the minor axes instead; we follow the
// reconstruction-error definition the issue and the GEOM paper use.
// All samples identical (zero total variance): k = 0 and the score is
// ‖x − μ‖², the distance to the one training point (documented, tested).
#include <vigil/classic/pca.hpp>
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "components": {"type": "integer", "minimum": 1, "maximum": 1000000,
                   "description": "number of principal axes kept (at most the number of features); overrides variance"},
    "variance": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.95,
                 "description": "keep the fewest leading axes explaining more than this fraction of the training variance (used when components is absent)"}
  }})json";

constexpr uint32_t kStateVersion = 1;
constexpr int64_t kBlock = 2048;  // scored samples per GEMM block

class PcaDetector : public vigil::sdk::Detector {
public:
    PcaDetector(const nlohmann::json &p, vigil::sdk::Host host) : host_(host), backend_(vigil::compute::make_backend(host)) {
        const vigil::sdk::Params params(p, "pca", {"components", "variance"});
        components_ = params.integer("components", 0, 1, 1000000);
        variance_ = params.number("variance", 0.95, 0.0, 1.0, true);
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(components_ <= d, "components = " + std::to_string(components_) + " exceeds the " + std::to_string(d) +
                                      " features of the training samples");
        const vigil::classic::Pca p = vigil::classic::fit_pca(host_, data, n, d);
        const int64_t k = components_ > 0 ? components_ : vigil::classic::components_for_variance(p, variance_);
        set_state(d, k, p.mean, vigil::classic::leading_axes(p, k));
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(d_ > 0, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) +
                                           " features, but the model was fitted on " + std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        std::vector<float> xc, z, rec;
        for (int64_t b0 = 0; b0 < m; b0 += kBlock) {
            host_.check_cancelled();
            const int64_t mb = std::min(kBlock, m - b0);
            xc.assign(data + b0 * d_, data + (b0 + mb) * d_);
            for (int64_t i = 0; i < mb; ++i)
                for (int64_t j = 0; j < d_; ++j) xc[i * d_ + j] -= mean_[j];
            if (k_ > 0) {
                z.resize(static_cast<size_t>(mb * k_));
                rec.resize(static_cast<size_t>(mb * d_));
                backend_->matmul_abt(xc.data(), mb, *axes_, z.data());     // z = (x − μ) U_kᵀ   (mb x k)
                backend_->matmul_abt(z.data(), mb, *axes_t_, rec.data());  // z U_k              (mb x D)
            }
            for (int64_t i = 0; i < mb; ++i) {
                double s = 0;
                for (int64_t j = 0; j < d_; ++j) {
                    const double r = double(xc[i * d_ + j]) - (k_ > 0 ? double(rec[i * d_ + j]) : 0.0);
                    s += r * r;
                }
                scores[b0 + i] = static_cast<float>(s);
            }
            host_.progress(static_cast<uint64_t>(b0 + mb), static_cast<uint64_t>(m), "pca score");
        }
    }

    void save(vigil::sdk::Writer &w) override {
        require(d_ > 0, "save called before fit", VIGIL_ERR_STATE);
        w.pod(kStateVersion);
        w.pod<int64_t>(d_);
        w.pod<int64_t>(k_);
        w.vec(mean_);
        w.vec(axes_host_);
    }

    void load(vigil::sdk::Reader &r) override {
        const auto version = r.pod<uint32_t>();
        if (version != kStateVersion) fail(VIGIL_ERR_IO, "pca: unknown state version " + std::to_string(version));
        const int64_t d = r.pod<int64_t>(), k = r.pod<int64_t>();
        std::vector<float> mean = r.vec<float>(), axes = r.vec<float>();
        r.expect_end();
        if (d <= 0 || k < 0 || k > d || mean.size() != static_cast<size_t>(d) || axes.size() != static_cast<size_t>(k * d))
            fail(VIGIL_ERR_IO, "pca state is malformed (D = " + std::to_string(d) + ", k = " + std::to_string(k) + ")");
        for (float v : mean) if (!std::isfinite(v)) fail(VIGIL_ERR_IO, "pca state holds a non-finite value");
        for (float v : axes) if (!std::isfinite(v)) fail(VIGIL_ERR_IO, "pca state holds a non-finite value");
        set_state(d, k, std::move(mean), std::move(axes));
    }

private:
    void set_state(int64_t d, int64_t k, std::vector<float> mean, std::vector<float> axes) {
        std::unique_ptr<vigil::compute::Resident> a, at;
        if (k > 0) {
            std::vector<float> t(static_cast<size_t>(d * k));  // U_kᵀ, D x k
            for (int64_t i = 0; i < k; ++i)
                for (int64_t j = 0; j < d; ++j) t[j * k + i] = axes[i * d + j];
            a = backend_->upload(axes.data(), k, d);
            at = backend_->upload(t.data(), d, k);
        }
        d_ = d;  // only after the uploads succeeded: a failed fit keeps the previous model
        k_ = k;
        mean_ = std::move(mean);
        axes_host_ = std::move(axes);
        axes_ = std::move(a);
        axes_t_ = std::move(at);
    }

    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    int64_t components_ = 0;
    double variance_ = 0.95;
    int64_t d_ = 0, k_ = 0;
    std::vector<float> mean_, axes_host_;  // D; k x D
    std::unique_ptr<vigil::compute::Resident> axes_, axes_t_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(PcaDetector, "pca", "1.0.0",
                     "squared reconstruction error from the leading principal axes of the training set; higher = more anomalous",
                     kSchema)
