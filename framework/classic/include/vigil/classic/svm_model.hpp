// svm_model.hpp — fitting the ν-one-class SVM and SVDD with the SMO solver,
// the fitted model they share (support vectors, coefficients, offset), and
// its state format.
//
// Why this file exists: the ocsvm and svdd plugins differ only in the
// problem they hand to solve_smo and in how a score is formed from the
// kernel expansion; the problem set-up, the support-vector extraction and the
// checked (de)serialisation live here once.
//
// ν-one-class SVM (Schölkopf et al. 2001, libsvm's formulation):
//     min ½ αᵀKα   s.t. 0 ≤ α_i ≤ 1, Σα_i = ν·N
// started from libsvm's point (first ⌊νN⌋ α = 1, the next νN − ⌊νN⌋).
// Decision f(x) = Σ α_i K(x_i, x) − ρ (libsvm's scale, Σα = νN, which is also
// scikit-learn's OneClassSVM.decision_function: dual_coef_ = α, offset_ = ρ).
//
// SVDD (Tax & Duin 2004): centre a = Σα_i φ(x_i) of the smallest ball,
//     min Σ_ij α_iα_j K_ij − Σ_i α_i K_ii   s.t. 0 ≤ α_i ≤ C, Σα_i = 1,
// i.e. the solver's problem with Q = 2K, p_i = −K_ii, U = C, Δ = 1 (feasible
// only when C ≥ 1/N). For a free support vector k, G_k = 2(Kα)_k − K_kk = ρ,
// so R² = ‖φ(x_k) − a‖² = αᵀKα − ρ and
//     ‖φ(x) − a‖² − R² = K(x, x) − 2 Σ α_i K(x_i, x) + ρ
// (αᵀKα cancels). For rbf (K_ii = 1) pᵀα = −1 is constant, and α/(νN) maps the
// one-class problem with ν = 1/(N·C) onto this one: both give the same ranking.
#pragma once

#include <vigil/classic/smo.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::classic {

// A fitted kernel expansion: support vectors (α > 0), their coefficients α and
// the offset ρ of the solver. Scoring is described by the plugin using it.
struct SvmModel {
    KernelSpec kernel;
    int64_t d = 0;
    std::vector<float> centre;  // d floats for rbf (kernel_centre), else empty
    std::vector<float> sv;      // n_sv x d, raw (uncentred) training samples
    std::vector<double> coef;   // n_sv, α_i > 0
    double rho = 0;
    int64_t n_sv() const { return static_cast<int64_t>(coef.size()); }
};

struct SvmFitOptions {
    SmoOptions smo;
    KernelCacheOptions cache;
};

// What a fit did, for logs and tests.
struct SvmFitReport {
    int64_t n = 0, n_sv = 0, n_bounded = 0;  // training samples, support vectors, α at the upper bound
    int64_t iterations = 0;
    bool reached_max_iter = false;
    double objective = 0, violation = 0;
    double radius2 = 0;                      // svdd: R² = αᵀKα − ρ
    int64_t cache_rows = 0, rows_computed = 0, gemm_blocks = 0;
    std::vector<double> alpha, gradient;     // of every training sample (tests check KKT)
};

// x: n x d finite float32; k.gamma already resolved. Throws INVALID_ARGUMENT
// for ν outside (0, 1] (ocsvm) or C < 1/N (svdd, with the bound in the message).
SvmModel fit_one_class_svm(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d,
                           const KernelSpec &k, double nu, const SvmFitOptions &opt, SvmFitReport *report = nullptr);
SvmModel fit_svdd(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d,
                  const KernelSpec &k, double c, const SvmFitOptions &opt, SvmFitReport *report = nullptr);

// State (after the plugin's own magic and format version): kernel type,
// gamma, degree, coef0, d, ρ, centre, coef, sv. read_svm_model throws
// VIGIL_ERR_IO naming `who` for malformed content (wrong sizes, non-finite
// values, α ≤ 0, unknown kernel, empty model).
void write_svm_model(sdk::Writer &w, const SvmModel &m);
SvmModel read_svm_model(sdk::Reader &r, const std::string &who);

} // namespace vigil::classic
