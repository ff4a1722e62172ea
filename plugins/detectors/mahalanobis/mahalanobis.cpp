// mahalanobis.cpp — the `mahalanobis` detector.
//
// single:            μ = mean of the training set, Σ = (1/N) Σ_i (x_i − μ)(x_i − μ)ᵀ,
//                    score(x) = (x − μ)ᵀ Σ⁺ (x − μ).
// class_conditional: Lee et al. 2018 (NeurIPS), as papers/ood-data-integrity-report.txt
//                    uses it: class means μ_c from the training labels, one shared
//                    Σ = (1/N) Σ_c Σ_{i∈c} (x_i − μ_c)(x_i − μ_c)ᵀ,
//                    score(x) = min_c (x − μ_c)ᵀ Σ⁺ (x − μ_c).
// Higher = more anomalous. The maximum-likelihood (1/N) covariance is what
// scikit-learn's EmpiricalCovariance uses. Optional shrinkage s ≥ 0 replaces
// Σ by Σ + s · (trace(Σ)/D) · I before inverting (regularises near-singular Σ).
//
// Σ⁺ is a pseudo-inverse as scipy.linalg.pinvh computes it: scikit-learn 1.2's
// EmpiricalCovariance calls pinvh(covariance) with its defaults on a float64
// covariance (np.cov), and scipy 1.10's pinvh drops eigenvalues λ with
// |λ| ≤ rcond · max|λ|, rcond = max(D, D) · float64 epsilon. We match that:
// parameter rcond (default 0 = D · 2.2e-16) and keep λ > rcond · max|λ|
// (pinvh would also keep a large negative λ; a covariance has none beyond
// rounding noise, and whitening needs λ > 0). Raw pixels have constant border
// pixels, so Σ is singular and this matters.
//
// Numerics: the quadratic form is never expanded into xᵀΣ⁺x − 2xᵀΣ⁺μ + …
// (cancellation in float). Fit (double, Eigen, SelfAdjointEigenSolver
// Σ = U Λ Uᵀ) builds the whitening matrix W = Λ₊^{-1/2} U₊ᵀ (r × D, r = kept
// eigenvalues), so that Σ⁺ = WᵀW and
//     (x − μ_c)ᵀ Σ⁺ (x − μ_c) = ‖W(x − m) − W(μ_c − m)‖²,  m = the training mean.
// Scoring centres x on m, runs the one GEMM z = W(x − m) on the backend
// (oneDNN or cuBLAS), then takes min_c ‖z − ν_c‖² directly (in double),
// ν_c = W(μ_c − m) precomputed at fit. State: D, r, m, W, ν.
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

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
    Mahalanobis(const nlohmann::json &p, vigil::sdk::Host host) : host_(host), backend_(vigil::compute::make_backend(host)) {
        // The host validates against kSchema already; these checks guard other hosts.
        const vigil::sdk::Params params(p, "mahalanobis", {"mode", "shrinkage", "rcond"});
        class_conditional_ = params.choice("mode", "single", {"single", "class_conditional"}) == "class_conditional";
        shrinkage_ = params.number("shrinkage", 0.0, 0.0, HUGE_VAL);
        rcond_ = params.number("rcond", 0.0, 0.0, HUGE_VAL);
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *labels) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 2, "needs at least 2 training samples, got " + std::to_string(n));
        require(d >= 1, "training samples have no features");
        std::vector<int32_t> y(static_cast<size_t>(n), 0);
        if (class_conditional_) {
            require(labels != nullptr, "mode class_conditional needs training labels (the training data has none)");
            y = labels->labels(n);
        }
        Eigen::setNbThreads(static_cast<int>(host_.threads()));  // Eigen's GEMM follows the host's budget (cpu: OpenMP)
        using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> xf(data, n, d);
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
        // Σ = (1/N) Σ_i (x_i − μ_{c(i)})(x_i − μ_{c(i)})ᵀ: lower triangle only (a
        // symmetric rank update), which is all SelfAdjointEigenSolver reads.
        Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
        cov.selfadjointView<Eigen::Lower>().rankUpdate(xd.transpose(), 1.0 / static_cast<double>(n));
        if (shrinkage_ > 0) cov.diagonal().array() += shrinkage_ * cov.trace() / static_cast<double>(d);
        host_.check_cancelled();

        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
        require(eig.info() == Eigen::Success, "eigendecomposition of the covariance failed", VIGIL_ERR_INTERNAL);
        const Eigen::VectorXd &lam = eig.eigenvalues();
        const double largest = lam.cwiseAbs().maxCoeff();
        // pinvh's cutoff (see the header): rcond · max|λ|, rcond = D · eps(float64) by default.
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
        // Scoring subtracts the float-rounded mean, so ν_c = W(μ_c − m) uses that same m.
        std::vector<float> centre(mean.data(), mean.data() + d);
        std::vector<float> nu;
        std::vector<double> delta(static_cast<size_t>(d));
        for (const auto &[label, c] : classes) {
            for (int64_t j = 0; j < d; ++j) delta[j] = c.first[j] - double(centre[j]);
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
        require(resident_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) +
                                           " features, but the model was fitted on " + std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<float> centred(data, data + x.numel());
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
            fail(VIGIL_ERR_IO, "mahalanobis state is malformed (feature count " + std::to_string(d) + ", rank " +
                                   std::to_string(rank) + ", " + std::to_string(centre.size()) + "/" +
                                   std::to_string(w.size()) + "/" + std::to_string(nu.size()) + " values)");
        for (const auto *v : {&centre, &w, &nu})
            for (float e : *v)
                if (!std::isfinite(e)) fail(VIGIL_ERR_IO, "mahalanobis state holds a non-finite value");
        set_state(d, rank, std::move(centre), std::move(w), std::move(nu));
    }

private:
    // A finite number >= 0 (0 when absent).
    void set_state(int64_t d, int64_t r, std::vector<float> centre, std::vector<float> w, std::vector<float> nu) {
        auto res = backend_->upload(w.data(), r, d);  // first: a failed upload leaves the previous model intact
        d_ = d;
        r_ = r;
        centre_ = std::move(centre);
        w_ = std::move(w);
        nu_ = std::move(nu);
        resident_ = std::move(res);
    }

    bool class_conditional_ = false;
    double shrinkage_ = 0, rcond_ = 0;
    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    int64_t d_ = 0, r_ = 0;
    std::vector<float> centre_, w_, nu_;  // m (D), W (r x D), ν (classes x r)
    std::unique_ptr<vigil::compute::Resident> resident_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Mahalanobis, "mahalanobis", "1.0.1",
                     "Mahalanobis distance to the training Gaussian, or min over class-conditional Gaussians with a "
                     "shared covariance (Lee et al. 2018); higher = more anomalous",
                     kSchema)
