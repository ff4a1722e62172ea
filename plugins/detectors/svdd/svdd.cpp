// svdd.cpp — the `svdd` detector: support vector data description (Tax & Duin
// 2004, "Support vector data description"): the smallest ball in feature
// space holding the training data, with slack bounded by C.
//
// Fit: the dual  min Σ_ij α_iα_j K_ij − Σ_i α_i K_ii  s.t. 0 ≤ α_i ≤ C, Σα_i = 1,
// i.e. the shared SMO solver (framework/classic/smo.hpp) with Q = 2K,
// p_i = −K_ii, bound C; needs C ≥ 1/N (otherwise infeasible: an error says so).
// C ≥ 1 makes every slack zero: the hard minimal enclosing ball.
// Score: the squared distance to the centre minus the squared radius,
//     ‖φ(x) − a‖² − R² = K(x, x) − 2 Σ α_i K(x_i, x) + ρ
// (ρ: the solver's offset; R² = αᵀKα − ρ, so αᵀKα cancels), positive outside
// the ball; higher = more anomalous.
// RBF equivalence: with K_ii = 1 the linear term is constant and α_svdd =
// α_ocsvm/(νN) maps the ν-one-class SVM with ν = 1/(N·C) onto this problem, so
// svdd and ocsvm(nu = 1/(N·C)) rank samples identically (tests/detectors/svdd_test.cpp).
// Kernels, gamma rules, scoring in blocks and the state format are ocsvm's
// (svm_model.hpp), with this plugin's own magic.
// One source, two libraries: vigil-svdd-cpu (oneDNN) and vigil-svdd-cuda (cuBLAS).
#include <vigil/classic/svm_detector.hpp>

#include <limits>
#include <sstream>
#include <string>

namespace {

namespace classic = vigil::classic;

// The shared kernel and solver parameters plus this plugin's own.
const std::string kSchema = classic::svm_schema(R"json("C": {"type": "number", "exclusiveMinimum": 0, "default": 1,
          "description": "bound on each coefficient (slack penalty); must be >= 1/N for N training samples; >= 1 gives the hard minimal enclosing ball; for rbf, svdd(C) ranks like ocsvm(nu = 1/(N*C))"})json");

constexpr uint32_t kMagic = 0x44445653;  // "SVDD"

class Svdd final : public classic::SvmDetector {
public:
    Svdd(const nlohmann::json &params, vigil::sdk::Host host) : SvmDetector(host, "svdd", kMagic) {
        const vigil::sdk::Params p(params, "svdd",
                                   {"kernel", "C", "gamma", "degree", "coef0", "tol", "cache_size", "max_iter"});
        c_ = p.number("C", 1.0, 0.0, std::numeric_limits<double>::infinity(), true);
        init(p);
    }

private:
    classic::SvmModel solve(const float *data, int64_t n, int64_t d, const classic::KernelSpec &k,
                            classic::SvmFitReport &rep) override {
        return classic::fit_svdd(*backend_, host_, data, n, d, k, c_, svm_.fit, &rep);
    }
    std::string describe_fit(const classic::SvmModel &, const classic::SvmFitReport &rep) const override {
        std::ostringstream s;
        s.precision(6);
        s << "C " << c_ << ", R^2 " << rep.radius2;
        return s.str();
    }
    bool needs_self() const override { return true; }
    double to_score(double sum, double self) const override { return self - 2.0 * sum + model_.rho; }  // ‖φ(x) − a‖² − R²

    double c_ = 1.0;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Svdd, "svdd", "1.0.0",
                     "support vector data description (Tax & Duin 2004; SMO as libsvm); score = squared distance to the "
                     "centre minus R^2, higher = more anomalous",
                     kSchema.c_str())
