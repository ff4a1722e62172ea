// ocsvm.cpp — the `ocsvm` detector: ν-one-class support vector machine
// (Schölkopf et al. 2001, "Estimating the support of a high-dimensional
// distribution"), solved as libsvm does.
//
// Fit: the dual  min ½αᵀKα  s.t. 0 ≤ α_i ≤ 1, Σα_i = νN  by SMO with
// second-order working-set selection and shrinking (framework/classic/smo.hpp);
// kernel rows come from a bounded cache filled by blocked GEMMs on the backend
// (kernel_cache.hpp). Only the support vectors (α > 0) are kept.
// Score: −f(x) with f(x) = Σ α_i K(x_i, x) − ρ, libsvm's decision function and
// scikit-learn's OneClassSVM.decision_function (same α scale, Σα = νN), so
// scores equal −decision_function and higher = more anomalous (outside the
// estimated support). Scoring: one GEMM per block of test rows against the
// support vectors uploaded once (kernel_expansion.hpp).
// Kernels: linear, rbf, poly, sigmoid, with gamma "scale" (1 / (D·Var(X)),
// 1.0 when Var(X) = 0, as scikit-learn 1.2), "auto" (1/D) or a number.
// State: magic, format version, then the model (svm_model.hpp: kernel with the
// resolved gamma, centre, ρ, α and support vectors).
// One source, two libraries: vigil-ocsvm-cpu (oneDNN) and vigil-ocsvm-cuda (cuBLAS).
#include <vigil/classic/svm_detector.hpp>

#include <sstream>
#include <string>

namespace {

namespace classic = vigil::classic;

// The shared kernel and solver parameters plus this plugin's own.
const std::string kSchema = classic::svm_schema(R"json("nu": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.5,
           "description": "upper bound on the fraction of training samples outside the support and lower bound on the fraction of support vectors"})json");

constexpr uint32_t kMagic = 0x4D56534F;  // "OSVM"

class OcSvm final : public classic::SvmDetector {
public:
    OcSvm(const nlohmann::json &params, vigil::sdk::Host host) : SvmDetector(host, "ocsvm", kMagic) {
        const vigil::sdk::Params p(params, "ocsvm",
                                   {"kernel", "nu", "gamma", "degree", "coef0", "tol", "cache_size", "max_iter"});
        nu_ = p.number("nu", 0.5, 0.0, 1.0, true);
        init(p);
    }

private:
    classic::SvmModel solve(const float *data, int64_t n, int64_t d, const classic::KernelSpec &k,
                            classic::SvmFitReport &rep) override {
        return classic::fit_one_class_svm(*backend_, host_, data, n, d, k, nu_, svm_.fit, &rep);
    }
    std::string describe_fit(const classic::SvmModel &m, const classic::SvmFitReport &) const override {
        std::ostringstream s;
        s.precision(6);
        s << "nu " << nu_ << ", rho " << m.rho;
        return s.str();
    }
    bool needs_self() const override { return false; }
    double to_score(double sum, double) const override { return model_.rho - sum; }  // −(Σ α K − ρ)

    double nu_ = 0.5;
};

} // namespace

VIGIL_VARIANT_PLUGIN(OcSvm, "ocsvm", "1.0.0",
                     "nu-one-class SVM (Schoelkopf et al. 2001; SMO as libsvm); score = -decision function, higher = more "
                     "anomalous",
                     kSchema.c_str())
