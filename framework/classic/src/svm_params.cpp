// svm_params.cpp — shared ocsvm/svdd parameters (svm_params.hpp).
#include <vigil/classic/svm_params.hpp>

#include <cmath>
#include <limits>
#include <sstream>

namespace vigil::classic {

using sdk::fail;

SvmParams read_svm_params(const sdk::Params &p) {
    SvmParams s;
    s.kernel = parse_kernel(p.choice("kernel", "rbf", {"linear", "rbf", "poly", "sigmoid"}));
    if (p.has("gamma")) {
        const nlohmann::json &g = p.raw("gamma");
        if (g.is_string() && (g.get<std::string>() == "scale" || g.get<std::string>() == "auto")) {
            s.gamma_rule = g.get<std::string>();
        } else if (g.is_number() && std::isfinite(g.get<double>()) && g.get<double>() > 0) {
            s.gamma_rule = "value";
            s.gamma_value = g.get<double>();
        } else {
            fail(VIGIL_ERR_INVALID_ARGUMENT,
                 "parameter gamma must be a number > 0, \"scale\" or \"auto\", got " + g.dump());
        }
    }
    s.degree = static_cast<int32_t>(p.integer("degree", 3, 0, 100));
    const double inf = std::numeric_limits<double>::infinity();
    s.coef0 = p.number("coef0", 0.0, -inf, inf);
    s.fit.smo.tol = p.number("tol", 1e-3, 0.0, inf, true);
    s.fit.cache.cache_mib = p.number("cache_size", 200.0, 0.0, 1048576.0, true);
    const int64_t max_iter = p.integer("max_iter", -1, -1, std::numeric_limits<int64_t>::max());
    if (max_iter == 0) fail(VIGIL_ERR_INVALID_ARGUMENT, "parameter max_iter must be -1 (libsvm's cap) or >= 1, got 0");
    s.fit.smo.max_iter = max_iter;
    return s;
}

KernelSpec resolve_kernel(const SvmParams &p, const float *x, int64_t n, int64_t d, const sdk::Host &host,
                          const std::string &who) {
    KernelSpec k;
    k.type = p.kernel;
    k.degree = p.degree;
    k.coef0 = p.coef0;
    if (p.gamma_rule == "value") {
        k.gamma = p.gamma_value;
    } else if (p.gamma_rule == "auto") {
        k.gamma = gamma_auto(d);
    } else {
        bool zero = false;
        k.gamma = gamma_scale(x, n, d, &zero);
        if (zero && p.kernel != KernelType::Linear)  // linear does not use gamma
            host.warn(who + ": every training value is the same (variance 0), so gamma \"scale\" = 1 / (D * Var) is "
                            "undefined; using gamma = 1.0 as scikit-learn does");
    }
    return k;
}

std::string describe_kernel(const KernelSpec &k) {
    std::ostringstream m;
    m.precision(6);
    m << "kernel " << kernel_name(k.type);
    if (k.type != KernelType::Linear) m << " (gamma " << k.gamma;
    if (k.type == KernelType::Poly) m << ", degree " << k.degree;
    if (k.type == KernelType::Poly || k.type == KernelType::Sigmoid) m << ", coef0 " << k.coef0;
    if (k.type != KernelType::Linear) m << ")";
    return m.str();
}

std::string svm_schema(const char *own_property) {
    return std::string(R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "kernel": {"enum": ["linear", "rbf", "poly", "sigmoid"], "default": "rbf",
               "description": "linear x.y; rbf exp(-gamma |x-y|^2); poly (gamma x.y + coef0)^degree; sigmoid tanh(gamma x.y + coef0)"},
    )json") + own_property + R"json(,
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
}

} // namespace vigil::classic
