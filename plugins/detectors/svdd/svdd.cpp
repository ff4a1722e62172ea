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
#include <vigil/classic/kernel_expansion.hpp>
#include <vigil/classic/svm_params.hpp>
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <algorithm>
#include <cfloat>
#include <limits>
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
    "C": {"type": "number", "exclusiveMinimum": 0, "default": 1,
          "description": "bound on each coefficient (slack penalty); must be >= 1/N for N training samples; >= 1 gives the hard minimal enclosing ball; for rbf, svdd(C) ranks like ocsvm(nu = 1/(N*C))"},
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

constexpr uint32_t kMagic = 0x44445653;  // "SVDD"
constexpr uint32_t kFormat = 1;

float saturate(double v) { return static_cast<float>(std::max(-double(FLT_MAX), std::min(double(FLT_MAX), v))); }

class Svdd final : public vigil::sdk::Detector {
public:
    Svdd(const nlohmann::json &params, vigil::sdk::Host host) : host_(host) {
        const vigil::sdk::Params p(params, "svdd",
                                   {"kernel", "C", "gamma", "degree", "coef0", "tol", "cache_size", "max_iter"});
        svm_ = classic::read_svm_params(p);
        c_ = p.number("C", 1.0, 0.0, std::numeric_limits<double>::infinity(), true);
        backend_ = vigil::compute::make_backend(host);
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 1, "needs at least 1 training sample");
        require(d >= 1, "training samples have no features");
        const classic::KernelSpec k = classic::resolve_kernel(svm_, data, n, d, host_, "svdd");
        classic::SvmFitReport rep;
        classic::SvmModel m = classic::fit_svdd(*backend_, host_, data, n, d, k, c_, svm_.fit, &rep);
        std::ostringstream msg;
        msg.precision(6);
        msg << "svdd: " << classic::describe_kernel(k) << ", C " << c_ << ": " << rep.n_sv << " support vectors of " << n
            << " (" << rep.n_bounded << " at the bound), R^2 " << rep.radius2 << ", " << rep.iterations
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
        std::vector<double> sum(static_cast<size_t>(m)), self(static_cast<size_t>(m));
        expansion_->evaluate(data, m, sum.data(), self.data());
        for (int64_t i = 0; i < m; ++i) scores[i] = saturate(self[i] - 2.0 * sum[i] + model_.rho);
    }

    void save(vigil::sdk::Writer &w) override {
        require(expansion_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod<uint32_t>(kMagic);
        w.pod<uint32_t>(kFormat);
        classic::write_svm_model(w, model_);
    }

    void load(vigil::sdk::Reader &r) override {
        if (r.pod<uint32_t>() != kMagic) fail(VIGIL_ERR_IO, "not an svdd state (wrong magic)");
        const uint32_t format = r.pod<uint32_t>();
        if (format != kFormat)
            fail(VIGIL_ERR_IO, "svdd state format " + std::to_string(format) + " is not supported (this plugin reads " +
                                   std::to_string(kFormat) + ")");
        classic::SvmModel m = classic::read_svm_model(r, "svdd");
        r.expect_end();
        if (m.kernel.type != svm_.kernel)
            fail(VIGIL_ERR_IO, std::string("svdd state was fitted with kernel ") + classic::kernel_name(m.kernel.type) +
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
    double c_ = 1.0;
    std::unique_ptr<vigil::compute::Backend> backend_;
    classic::SvmModel model_;
    std::unique_ptr<classic::KernelExpansion> expansion_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Svdd, "svdd", "1.0.0",
                     "support vector data description (Tax & Duin 2004; SMO as libsvm); score = squared distance to the "
                     "centre minus R^2, higher = more anomalous",
                     kSchema)
