// mahalanobis.cpp — the `mahalanobis` detector.
//
// single:            μ = mean of the training set, Σ = (1/N) Σ_i (x_i − μ)(x_i − μ)ᵀ,
//                    score(x) = (x − μ)ᵀ Σ⁺ (x − μ).
// class_conditional: Lee et al. 2018 (NeurIPS), as papers/ood-data-integrity-report.txt
//                    uses it: class means μ_c from the training labels, one shared
//                    Σ = (1/N) Σ_c Σ_{i∈c} (x_i − μ_c)(x_i − μ_c)ᵀ,
//                    score(x) = min_c (x − μ_c)ᵀ Σ⁺ (x − μ_c).
// Higher = more anomalous. The maximum-likelihood (1/N) covariance is what
// scikit-learn's EmpiricalCovariance uses.
//
// Σ⁺ is a pseudo-inverse as scipy.linalg.pinvh computes it (scikit-learn 1.2's
// EmpiricalCovariance calls pinvh with its defaults): eigenvalues λ with
// λ ≤ rcond · max|λ| are dropped, rcond defaulting to D · machine epsilon.
// Raw pixels have constant border pixels, so Σ is singular and this matters.
//
// Numerics: the quadratic form is never expanded into xᵀΣ⁺x − 2xᵀΣ⁺μ + …
// (cancellation in float). Fit (double, Eigen) builds the whitening matrix
// W = Λ₊^{-1/2} U₊ᵀ (r × D, r = kept eigenvalues), so that
// (x − μ_c)ᵀ Σ⁺ (x − μ_c) = ‖W(x − m) − W(μ_c − m)‖² with m the training mean.
// Scoring centres x on m, runs the one GEMM z = W(x − m) on the backend
// (oneDNN or cuBLAS), then takes min_c ‖z − ν_c‖² directly, ν_c = W(μ_c − m).
#include <vigil/compute/backend.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "mode": {"enum": ["single", "class_conditional"], "default": "single",
             "description": "single: one Gaussian over all training samples; class_conditional: class means with a shared covariance, score = min over classes (needs training labels)"},
    "shrinkage": {"type": "number", "minimum": 0, "default": 0,
                  "description": "adds shrinkage * trace(cov) / D to the covariance diagonal before inverting"},
    "rcond": {"type": "number", "minimum": 0, "default": 0,
              "description": "eigenvalues <= rcond * largest are dropped from the pseudo-inverse; 0 = D * machine epsilon (scipy.linalg.pinvh's default)"}
  }})json";

class Mahalanobis : public vigil::sdk::Detector {
public:
    Mahalanobis(const nlohmann::json &p, vigil::sdk::Host host)
        : class_conditional_(p.value("mode", std::string("single")) == "class_conditional"),
          shrinkage_(p.value("shrinkage", 0.0)), rcond_(p.value("rcond", 0.0)), host_(host),
          backend_(vigil::compute::make_backend(host)) {}

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *labels) override {
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 2, "needs at least 2 training samples, got " + std::to_string(n));
        require(d >= 1, "training samples have no features");
        std::vector<int32_t> y(static_cast<size_t>(n), 0);
        if (class_conditional_) {
            require(labels != nullptr, "mode class_conditional needs training labels (the training data has none)");
            y = labels->labels(n);
        }
        using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> xf(x.f32(), n, d);
        Mat xd = xf.cast<double>();
        const Eigen::RowVectorXd mean = xd.colwise().mean();

        // Class means, then centre every sample on its own class mean.
        std::map<int32_t, std::pair<Eigen::RowVectorXd, int64_t>> classes;
        for (int64_t i = 0; i < n; ++i) {
            auto &c = classes[y[i]];
            if (c.second == 0) c.first = Eigen::RowVectorXd::Zero(d);
            c.first += xd.row(i);
            ++c.second;
        }
        for (auto &[label, c] : classes) c.first /= static_cast<double>(c.second);
        for (int64_t i = 0; i < n; ++i) xd.row(i) -= classes[y[i]].first;
        Eigen::MatrixXd cov = (xd.transpose() * xd) / static_cast<double>(n);
        if (shrinkage_ > 0) cov.diagonal().array() += shrinkage_ * cov.trace() / static_cast<double>(d);

        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
        require(eig.info() == Eigen::Success, "eigendecomposition of the covariance failed", VIGIL_ERR_INTERNAL);
        const Eigen::VectorXd &lam = eig.eigenvalues();
        const double largest = lam.cwiseAbs().maxCoeff();
        const double rc = rcond_ > 0 ? rcond_ : static_cast<double>(d) * std::numeric_limits<double>::epsilon();
        std::vector<int64_t> keep;
        for (int64_t j = 0; j < d; ++j)
            if (lam[j] > rc * largest) keep.push_back(j);
        require(!keep.empty(), "the training data has zero variance in every direction (all samples identical)");
        const int64_t r = static_cast<int64_t>(keep.size());
        std::vector<float> w(static_cast<size_t>(r * d));
        for (int64_t a = 0; a < r; ++a) {
            const double s = 1.0 / std::sqrt(lam[keep[a]]);
            for (int64_t j = 0; j < d; ++j) w[a * d + j] = static_cast<float>(s * eig.eigenvectors()(j, keep[a]));
        }
        std::vector<float> centre(mean.data(), mean.data() + d);
        std::vector<float> nu;
        for (const auto &[label, c] : classes) {
            const Eigen::VectorXd delta = (c.first - mean).transpose();
            for (int64_t a = 0; a < r; ++a) {
                double s = 0;
                for (int64_t j = 0; j < d; ++j) s += double(w[a * d + j]) * delta[j];
                nu.push_back(static_cast<float>(s));
            }
        }
        set_state(d, r, std::move(centre), std::move(w), std::move(nu));
        host_.info("kept " + std::to_string(r) + " of " + std::to_string(d) + " covariance directions, " +
                   std::to_string(classes.size()) + " class(es)");
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(resident_ != nullptr, "score called before fit", VIGIL_ERR_STATE);
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) +
                                           " features, but the model was fitted on " + std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        std::vector<float> centred(x.f32(), x.f32() + x.numel());
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < d_; ++j) centred[i * d_ + j] -= centre_[j];
        std::vector<float> z(static_cast<size_t>(m * r_));
        backend_->matmul_abt(centred.data(), m, *resident_, z.data());
        const int64_t classes = static_cast<int64_t>(nu_.size()) / r_;
        for (int64_t i = 0; i < m; ++i) {
            double best = std::numeric_limits<double>::infinity();
            for (int64_t c = 0; c < classes; ++c) {
                double s = 0;
                for (int64_t a = 0; a < r_; ++a) {
                    const double t = double(z[i * r_ + a]) - nu_[c * r_ + a];
                    s += t * t;
                }
                best = std::min(best, s);
            }
            scores[i] = static_cast<float>(best);
        }
    }

    void save(vigil::sdk::Writer &w) override {
        require(resident_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod<int64_t>(d_);
        w.pod<int64_t>(r_);
        w.vec(centre_);
        w.vec(w_);
        w.vec(nu_);
    }

    void load(vigil::sdk::Reader &r) override {
        const int64_t d = r.pod<int64_t>(), rank = r.pod<int64_t>();
        std::vector<float> centre = r.vec<float>(), w = r.vec<float>(), nu = r.vec<float>();
        r.expect_end();
        if (d <= 0 || rank <= 0 || rank > d || centre.size() != size_t(d) || w.size() != size_t(rank * d) || nu.empty() ||
            nu.size() % size_t(rank) != 0)
            fail(VIGIL_ERR_IO, "mahalanobis state is malformed");
        set_state(d, rank, std::move(centre), std::move(w), std::move(nu));
    }

private:
    void set_state(int64_t d, int64_t r, std::vector<float> centre, std::vector<float> w, std::vector<float> nu) {
        d_ = d;
        r_ = r;
        centre_ = std::move(centre);
        w_ = std::move(w);
        nu_ = std::move(nu);
        resident_ = backend_->upload(w_.data(), r_, d_);
    }

    bool class_conditional_;
    double shrinkage_, rcond_;
    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    int64_t d_ = 0, r_ = 0;
    std::vector<float> centre_, w_, nu_;  // m (D), W (r x D), ν (classes x r)
    std::unique_ptr<vigil::compute::Resident> resident_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Mahalanobis, "mahalanobis", "1.0.0",
                     "Mahalanobis distance to the training Gaussian, or min over class-conditional Gaussians with a "
                     "shared covariance (Lee et al. 2018); higher = more anomalous",
                     kSchema)
