// kernel.hpp — the kernels of the SVM-type detectors (ocsvm, svdd) and how
// their values are obtained from dot products.
//
// Why this file exists: every kernel value the SMO solver and the scorers use
// comes from a float GEMM on the compute backend (x·y) plus squared norms; the
// kernel formulas, the "scale" gamma rule and the centring that keeps RBF
// distances accurate are written once here.
//
// Kernels (scikit-learn's / libsvm's definitions):
//   linear   K(x, y) = x·y
//   rbf      K(x, y) = exp(−γ ‖x − y‖²),   ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y (clamped at 0)
//   poly     K(x, y) = (γ x·y + coef0)^degree
//   sigmoid  K(x, y) = tanh(γ x·y + coef0)
// Precision: dot products are float GEMM results; norms, the expansion and the
// kernel function are evaluated in double. For rbf the data are first centred
// on the training mean (distances do not change), which shrinks the norms and
// with them the cancellation in ‖x‖² + ‖y‖² − 2 x·y; the other kernels depend
// on x·y itself and use the data as given.
#pragma once

#include <vigil/cpp/plugin.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::classic {

enum class KernelType : int32_t { Linear = 0, Rbf = 1, Poly = 2, Sigmoid = 3 };

struct KernelSpec {
    KernelType type = KernelType::Rbf;
    double gamma = 1.0;  // resolved (a number), see resolve_gamma
    int32_t degree = 3;
    double coef0 = 0.0;
};

// "linear", "rbf", "poly", "sigmoid" <-> KernelType. parse_kernel throws
// INVALID_ARGUMENT for any other name.
KernelType parse_kernel(const std::string &name);
const char *kernel_name(KernelType t);

// gamma = "scale": 1 / (D · Var(X)), Var over all N·D entries of X (population
// variance, as numpy's X.var() in scikit-learn 1.2's BaseLibSVM.fit, which
// works on X converted to float64). When Var(X) = 0 (every entry equal)
// scikit-learn falls back to gamma = 1.0, and so do we; *zero_variance tells
// the caller so it can say it. Computed in double, two passes.
double gamma_scale(const float *x, int64_t n, int64_t d, bool *zero_variance = nullptr);
// gamma = "auto": 1 / D.
inline double gamma_auto(int64_t d) { return 1.0 / static_cast<double>(d); }

// Whether this kernel works on data centred on the training mean (rbf only).
inline bool kernel_centres(KernelType t) { return t == KernelType::Rbf; }

// Column means of x (n x d) as float when the kernel centres its data, else an
// empty vector. The centre is part of a fitted model (scoring centres test
// samples on the same floats).
std::vector<float> kernel_centre(const KernelSpec &k, const float *x, int64_t n, int64_t d);

// rows x d copy of x with `centre` subtracted from every row in float
// (x unchanged when centre is empty), and its squared row norms in double.
void centre_rows(const float *x, int64_t rows, int64_t d, const std::vector<float> &centre, float *out);
void squared_norms(const float *x, int64_t rows, int64_t d, double *out);

// K(x, x) for a sample of squared norm `sq` (of the centred sample for rbf).
double kernel_self(const KernelSpec &k, double sq);

// out[j] = K(x, y_j) for j < count, from the float dot products dots[j] = x·y_j,
// the squared norm xn of x and the squared norms yn[j]. Returns false when a
// value is not finite (poly/sigmoid overflow); every other value is written.
bool kernel_from_dots(const KernelSpec &k, const float *dots, int64_t count, double xn, const double *yn, float *out);
bool kernel_from_dots(const KernelSpec &k, const float *dots, int64_t count, double xn, const double *yn, double *out);

// The message used when a kernel value overflows.
std::string kernel_overflow_message(const KernelSpec &k);

} // namespace vigil::classic
