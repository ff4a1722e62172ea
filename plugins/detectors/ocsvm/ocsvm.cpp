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
#include <vigil/classic/kernel_expansion.hpp>
#include <vigil/classic/svm_params.hpp>
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <algorithm>
#include <cfloat>
#include <sstream>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;
namespace classic = vigil::classic;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "kernel": {"enum": ["linear", "rbf", "poly", "sigmoid"], "default": "rbf",
               "description": "linear x.y; rbf exp(-gamma |x-y|^2); poly (gamma x.y + coef0)^degree; sigmoid tanh(gamma x.y + coef0)"},
    "nu": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.5,
           "description": "upper bound on the fraction of training samples outside the support and lower bound on the fraction of support vectors"},
    "gamma": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"enum": ["scale", "auto"]}], "default": "scale",
              "description": "kernel coefficient (rbf, poly, sigmoid): a number, \"scale\" = 1 / (D * Var(X)) over all training values (1.0 if Var(X) = 0, as scikit-learn), or \"auto\" = 1 / D"},
    "degree": {"type": "integer", "minimum": 0, "maximum": 100, "default": 3, "description": "poly kernel degree"},
    "coef0": {"type": "number", "default": 0, "description": "poly and sigmoid kernel offset"},
    "tol": {"type": "number", "exclusiveMinimum": 0, "default": 0.001,
            "description": "SMO stopping tolerance on the maximal KKT violation (libsvm's eps)"},
    "cache_size": {"type": "number", "exclusiveMinimum": 0, "maximum": 1048576, "default": 200,
                   "description": "MiB of cached kernel rows (at least 2 rows are kept whatever the value)"},
    "max_iter": {"oneOf": [{"const": -1}, {"type": "integer", "minimum": 1}], "default": -1,
                 "description": "SMO iteration cap; -1 = libsvm's cap max(10^7, 100 N). Reaching it logs a warning and keeps the approximate solution"}
  }})json";

constexpr uint32_t kMagic = 0x4D56534F;  // "OSVM"
constexpr uint32_t kFormat = 1;

float saturate(double v) { return static_cast<float>(std::max(-double(FLT_MAX), std::min(double(FLT_MAX), v))); }

class OcSvm final : public vigil::sdk::Detector {
public:
    OcSvm(const nlohmann::json &params, vigil::sdk::Host host) : host_(host) {
        const vigil::sdk::Params p(params, "ocsvm",
                                   {"kernel", "nu", "gamma", "degree", "coef0", "tol", "cache_size", "max_iter"});
        svm_ = classic::read_svm_params(p);
        nu_ = p.number("nu", 0.5, 0.0, 1.0, true);
        backend_ = vigil::compute::make_backend(host);  // after the parameters: a bad value is reported first
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 1, "needs at least 1 training sample");
        require(d >= 1, "training samples have no features");
        const classic::KernelSpec k = classic::resolve_kernel(svm_, data, n, d, host_, "ocsvm");
        classic::SvmFitReport rep;
        classic::SvmModel m = classic::fit_one_class_svm(*backend_, host_, data, n, d, k, nu_, svm_.fit, &rep);
        std::ostringstream msg;
        msg.precision(6);
        msg << "ocsvm: " << classic::describe_kernel(k) << ", nu " << nu_ << ": " << rep.n_sv << " support vectors of "
            << n << " (" << rep.n_bounded << " at the bound), rho " << m.rho << ", " << rep.iterations
            << " SMO iterations; " << rep.rows_computed << " kernel rows computed in " << rep.gemm_blocks
            << " GEMM blocks (cache " << rep.cache_rows << " rows)";
        host_.info(msg.str());
        set_state(std::move(m));
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(expansion_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == model_.d, "samples have " + std::to_string(x.sample_size()) +
                                                  " features, but the model was fitted on " + std::to_string(model_.d));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<double> sum(static_cast<size_t>(m));
        expansion_->evaluate(data, m, sum.data(), nullptr);
        for (int64_t i = 0; i < m; ++i) scores[i] = saturate(model_.rho - sum[i]);  // −(Σ α K − ρ)
    }

    void save(vigil::sdk::Writer &w) override {
        require(expansion_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod<uint32_t>(kMagic);
        w.pod<uint32_t>(kFormat);
        classic::write_svm_model(w, model_);
    }

    void load(vigil::sdk::Reader &r) override {
        if (r.pod<uint32_t>() != kMagic) fail(VIGIL_ERR_IO, "not an ocsvm state (wrong magic)");
        const uint32_t format = r.pod<uint32_t>();
        if (format != kFormat)
            fail(VIGIL_ERR_IO, "ocsvm state format " + std::to_string(format) + " is not supported (this plugin reads " +
                                   std::to_string(kFormat) + ")");
        classic::SvmModel m = classic::read_svm_model(r, "ocsvm");
        r.expect_end();
        if (m.kernel.type != svm_.kernel)
            fail(VIGIL_ERR_IO, std::string("ocsvm state was fitted with kernel ") + classic::kernel_name(m.kernel.type) +
                                   ", but the parameters say " + classic::kernel_name(svm_.kernel));
        set_state(std::move(m));
    }

private:
    void set_state(classic::SvmModel m) {
        auto e = std::make_unique<classic::KernelExpansion>(*backend_, host_, m);  // first: a failure keeps the old model
        model_ = std::move(m);
        expansion_ = std::move(e);
    }

    vigil::sdk::Host host_;
    classic::SvmParams svm_;
    double nu_ = 0.5;
    std::unique_ptr<vigil::compute::Backend> backend_;
    classic::SvmModel model_;
    std::unique_ptr<classic::KernelExpansion> expansion_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(OcSvm, "ocsvm", "1.0.0",
                     "nu-one-class SVM (Schoelkopf et al. 2001; SMO as libsvm); score = -decision function, higher = more "
                     "anomalous",
                     kSchema)
