// svm_model.cpp — ν-OC-SVM and SVDD fits on the SMO solver, and the shared
// model state (svm_model.hpp).
#include <vigil/classic/svm_model.hpp>

#include <cmath>
#include <sstream>

namespace vigil::classic {

using sdk::fail;
using sdk::require;

namespace {

void check_input(const float *x, int64_t n, int64_t d) {
    require(x != nullptr || n * d == 0, "training data is NULL");
    require(n >= 1, "needs at least 1 training sample");
    require(d >= 1, "training samples have no features");
}

// Keep the support vectors (α > 0) of a solution.
SvmModel extract(const KernelSpec &k, const float *x, int64_t d, std::vector<float> centre, const SmoResult &r) {
    SvmModel m;
    m.kernel = k;
    m.d = d;
    m.centre = std::move(centre);
    m.rho = r.rho;
    const int64_t n = static_cast<int64_t>(r.alpha.size());
    for (int64_t i = 0; i < n; ++i) {
        if (!(r.alpha[i] > 0)) continue;
        m.coef.push_back(r.alpha[i]);
        m.sv.insert(m.sv.end(), x + i * d, x + (i + 1) * d);
    }
    // Σα = Δ > 0, so at least one α is positive.
    require(!m.coef.empty(), "the solver returned no support vector", VIGIL_ERR_INTERNAL);
    require(std::isfinite(m.rho), "the solver's offset is not finite", VIGIL_ERR_INTERNAL);
    return m;
}

void fill_report(SvmFitReport *rep, int64_t n, const SvmModel &m, SmoResult &r, const KernelRowCache &cache) {
    if (!rep) return;
    rep->n = n;
    rep->n_sv = m.n_sv();
    rep->n_bounded = r.upper_count;
    rep->iterations = r.iterations;
    rep->reached_max_iter = r.reached_max_iter;
    rep->objective = r.objective;
    rep->violation = r.violation;
    rep->cache_rows = cache.capacity_rows();
    rep->rows_computed = cache.rows_computed();
    rep->gemm_blocks = cache.gemm_blocks();
    rep->alpha = std::move(r.alpha);
    rep->gradient = std::move(r.gradient);
}

} // namespace

SvmModel fit_one_class_svm(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d,
                           const KernelSpec &k, double nu, const SvmFitOptions &opt, SvmFitReport *report) {
    check_input(x, n, d);
    require(std::isfinite(nu) && nu > 0 && nu <= 1, "nu must be in (0, 1]");
    std::vector<float> centre = kernel_centre(k, x, n, d);
    KernelRowCache cache(backend, host, x, n, d, k, centre, opt.cache);
    const std::vector<double> p(static_cast<size_t>(n), 0.0);
    SmoResult r = solve_smo(cache, 1.0, p, 1.0, fill_start(n, 1.0, nu * static_cast<double>(n)), opt.smo, host);
    SvmModel m = extract(k, x, d, std::move(centre), r);
    fill_report(report, n, m, r, cache);
    return m;
}

SvmModel fit_svdd(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d,
                  const KernelSpec &k, double c, const SvmFitOptions &opt, SvmFitReport *report) {
    check_input(x, n, d);
    require(std::isfinite(c) && c > 0, "C must be a positive number");
    if (c * static_cast<double>(n) < 1.0 - 1e-12) {
        std::ostringstream m;
        m.precision(6);
        m << "C = " << c << " is below 1/N = " << 1.0 / static_cast<double>(n) << " for N = " << n
          << " training samples: no coefficients 0 <= alpha <= C sum to 1 (infeasible); use C >= 1/N";
        fail(VIGIL_ERR_INVALID_ARGUMENT, m.str());
    }
    std::vector<float> centre = kernel_centre(k, x, n, d);
    KernelRowCache cache(backend, host, x, n, d, k, centre, opt.cache);
    const std::vector<double> &kd = cache.diagonal();
    std::vector<double> p(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) p[i] = -kd[i];
    SmoResult r = solve_smo(cache, 2.0, p, c, fill_start(n, c, 1.0), opt.smo, host);
    // αᵀKα = Σ α_i (Kα)_i with (Kα)_i = (G_i + K_ii) / 2.
    double aka = 0;
    for (int64_t i = 0; i < n; ++i) aka += r.alpha[i] * 0.5 * (r.gradient[i] + kd[i]);
    SvmModel m = extract(k, x, d, std::move(centre), r);
    fill_report(report, n, m, r, cache);
    if (report) report->radius2 = aka - m.rho;
    return m;
}

void write_svm_model(sdk::Writer &w, const SvmModel &m) {
    w.pod<int32_t>(static_cast<int32_t>(m.kernel.type));
    w.pod<double>(m.kernel.gamma);
    w.pod<int32_t>(m.kernel.degree);
    w.pod<double>(m.kernel.coef0);
    w.pod<int64_t>(m.d);
    w.pod<double>(m.rho);
    w.vec(m.centre);
    w.vec(m.coef);
    w.vec(m.sv);
}

SvmModel read_svm_model(sdk::Reader &r, const std::string &who) {
    SvmModel m;
    const int32_t type = r.pod<int32_t>();
    m.kernel.gamma = r.pod<double>();
    m.kernel.degree = r.pod<int32_t>();
    m.kernel.coef0 = r.pod<double>();
    m.d = r.pod<int64_t>();
    m.rho = r.pod<double>();
    m.centre = r.vec<float>();
    m.coef = r.vec<double>();
    m.sv = r.vec<float>();
    auto bad = [&](const std::string &what) { fail(VIGIL_ERR_IO, who + " state is malformed: " + what); };
    if (type < 0 || type > 3) bad("unknown kernel type " + std::to_string(type));
    m.kernel.type = static_cast<KernelType>(type);
    if (!std::isfinite(m.kernel.gamma) || !(m.kernel.gamma > 0)) bad("gamma is not a positive finite number");
    if (m.kernel.degree < 0 || m.kernel.degree > 1000) bad("degree out of range");
    if (!std::isfinite(m.kernel.coef0)) bad("coef0 is not finite");
    if (m.d <= 0) bad("feature count " + std::to_string(m.d));
    if (!std::isfinite(m.rho)) bad("the offset is not finite");
    const size_t want_centre = kernel_centres(m.kernel.type) ? static_cast<size_t>(m.d) : 0;
    if (m.centre.size() != want_centre) bad("centre has " + std::to_string(m.centre.size()) + " values");
    if (m.coef.empty()) bad("no support vectors");
    if (m.sv.size() / static_cast<size_t>(m.d) != m.coef.size() || m.sv.size() % static_cast<size_t>(m.d) != 0)
        bad(std::to_string(m.coef.size()) + " coefficients but " + std::to_string(m.sv.size()) + " support-vector values");
    for (double a : m.coef)
        if (!std::isfinite(a) || !(a > 0)) bad("a coefficient is not a positive finite number");
    for (float v : m.centre)
        if (!std::isfinite(v)) bad("a non-finite centre value");
    for (float v : m.sv)
        if (!std::isfinite(v)) bad("a non-finite support-vector value");
    return m;
}

} // namespace vigil::classic
