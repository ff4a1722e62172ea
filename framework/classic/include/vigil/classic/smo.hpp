// smo.hpp — sequential minimal optimisation for the dual problems of the
// one-class SVM and SVDD.
//
// Why this file exists: ocsvm and svdd solve the same quadratic programme,
//     min_α  ½ αᵀQα + pᵀα   s.t.  0 ≤ α_i ≤ U,  Σ_i α_i = Δ,
// with Q = s·K (s > 0; K from a KernelSource) and every label +1. This is
// that solver, written once, to libsvm's standard of quality:
//   * second-order working-set selection (Fan, Chen & Lin, JMLR 2005; libsvm's
//     WSS 2): i = argmax_{t ∈ I_up} −G_t, then j ∈ I_low maximising the
//     decrease b²/a of the two-variable sub-problem, b = G_j − G_i > 0,
//     a = Q_ii + Q_jj − 2Q_ij (τ = 1e-12 when a ≤ 0, e.g. indefinite sigmoid
//     kernels), where I_up = {α_t < U}, I_low = {α_t > 0};
//   * stopping when m(α) − M(α) = max_{I_up} −G + max_{I_low} G < tol;
//   * shrinking (libsvm's heuristic, Chang & Lin 2011 §5.1) every min(N, 1000)
//     iterations: a variable at a bound that cannot belong to a violating pair
//     leaves the active set; the first time the violation falls below 10·tol
//     and again at convergence, the gradient of the inactive variables is
//     rebuilt from Ḡ_t = Σ_{α_j = U} U·Q_tj plus the free variables'
//     contributions, the whole set is reactivated, and the check repeated;
//   * an iteration cap (default libsvm's max(10^7, 100·N)) that stops with a
//     warning through the host log instead of failing.
// The gradient is kept in double; kernel rows are float (as libsvm's cache).
// The host's cancellation is checked between shrinking rounds and in every
// kernel block; progress is reported as iterations (total unknown, label "smo").
//
// Offset ρ (the equality constraint's multiplier, libsvm's calculate_rho for
// labels +1): the mean of G_t over free variables (0 < α_t < U); with none,
// the midpoint of [max_{α=U} G, min_{α=0} G], or the one finite end when the
// other set is empty (libsvm would return ±∞ there, e.g. ν = 1).
#pragma once

#include <vigil/classic/kernel_cache.hpp>

#include <cstdint>
#include <vector>

namespace vigil::classic {

struct SmoOptions {
    double tol = 1e-3;       // stopping tolerance on m(α) − M(α)
    int64_t max_iter = -1;   // <= 0: max(10^7, 100·N), as libsvm
    bool shrinking = true;
};

struct SmoResult {
    std::vector<double> alpha;     // the solution (N)
    std::vector<double> gradient;  // G = Qα + p at the solution, every variable (N)
    double rho = 0;                // see the header
    double objective = 0;          // ½ αᵀQα + pᵀα
    int64_t iterations = 0;
    bool reached_max_iter = false;
    int64_t free_count = 0, upper_count = 0;  // 0 < α < U, α = U
    double violation = 0;          // m(α) − M(α) at the end (< tol unless the cap was hit)
};

// Solve with Q = q_scale · K, linear term p (N), bound `upper` > 0 and a
// feasible start alpha0 (0 ≤ α ≤ U; its sum is Δ). Throws
// vigil::sdk::Error(VIGIL_ERR_CANCELLED) when the host asks to stop, and
// INVALID_ARGUMENT for inconsistent sizes or an infeasible start.
SmoResult solve_smo(KernelSource &k, double q_scale, const std::vector<double> &p, double upper,
                    std::vector<double> alpha0, const SmoOptions &opt, const sdk::Host &host);

// A feasible start for Σα = total, 0 ≤ α ≤ upper: the first ⌊total/upper⌋
// variables at upper, the next one the remainder, the rest 0 (libsvm's
// one-class initialisation). Needs total ≤ N·upper (checked by the caller).
std::vector<double> fill_start(int64_t n, double upper, double total);

} // namespace vigil::classic
