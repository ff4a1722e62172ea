// svm_params.hpp — the parameters ocsvm and svdd share (kernel, gamma,
// degree, coef0, tol, cache_size, max_iter), read and checked once.
//
// Why this file exists: both plugins take the same kernel and solver
// parameters with the same rules and messages; the gamma rule ("scale",
// "auto" or a number) is resolved against the training data at fit time.
#pragma once

#include <vigil/classic/svm_model.hpp>
#include <vigil/cpp/params.hpp>

#include <string>

namespace vigil::classic {

struct SvmParams {
    KernelType kernel = KernelType::Rbf;
    std::string gamma_rule = "scale";  // "scale", "auto" or "value"
    double gamma_value = 0;            // when gamma_rule == "value"
    int32_t degree = 3;
    double coef0 = 0;
    SvmFitOptions fit;                 // tol, max_iter, cache_size
};

// Reads kernel, gamma, degree, coef0, tol, cache_size and max_iter from p
// (defaults: rbf, "scale", 3, 0, 1e-3, 200 MiB, -1 = libsvm's cap).
// Throws INVALID_ARGUMENT naming the parameter.
SvmParams read_svm_params(const sdk::Params &p);

// The kernel for training data x (n x d): gamma resolved by its rule. For
// "scale" with zero variance (every value equal) gamma is 1.0, as in
// scikit-learn, and a warning says so through `host`.
KernelSpec resolve_kernel(const SvmParams &p, const float *x, int64_t n, int64_t d, const sdk::Host &host,
                          const std::string &who);

// The JSON Schema of an SVM plugin's parameters: the shared kernel and
// solver properties (documented once, in svm_params.cpp) plus the plugin's
// own, given as the text of one JSON member, e.g. `"nu": {"type": "number", ...}`.
std::string svm_schema(const char *own_property);

// "kernel rbf (gamma 0.0127), " etc. for log lines.
std::string describe_kernel(const KernelSpec &k);

} // namespace vigil::classic
