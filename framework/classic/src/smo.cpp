// smo.cpp — the SMO solver (smo.hpp): second-order working-set selection,
// shrinking with gradient reconstruction, libsvm-style offset.
#include <vigil/classic/smo.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

namespace vigil::classic {

using sdk::fail;
using sdk::require;

std::vector<double> fill_start(int64_t n, double upper, double total) {
    std::vector<double> a(static_cast<size_t>(n), 0.0);
    const int64_t full = std::min<int64_t>(n, static_cast<int64_t>(std::floor(total / upper)));
    for (int64_t i = 0; i < full; ++i) a[static_cast<size_t>(i)] = upper;
    if (full < n) a[static_cast<size_t>(full)] = std::min(upper, std::max(0.0, total - static_cast<double>(full) * upper));
    return a;
}

namespace {

constexpr double kTau = 1e-12;  // curvature used when a ≤ 0 (libsvm's TAU)
constexpr double kInf = std::numeric_limits<double>::infinity();
enum Status : uint8_t { kLower = 0, kUpper = 1, kFree = 2 };

class Solver {
public:
    Solver(KernelSource &k, double s, const std::vector<double> &p, double upper, std::vector<double> alpha,
           const SmoOptions &opt, const sdk::Host &host)
        : k_(k), kd_(k.diagonal()), n_(k.size()), s_(s), u_(upper), p_(p), a_(std::move(alpha)), opt_(opt), host_(host) {
        require(static_cast<int64_t>(p_.size()) == n_ && static_cast<int64_t>(a_.size()) == n_ &&
                    static_cast<int64_t>(kd_.size()) == n_,
                "smo: sizes of p, alpha and the kernel differ", VIGIL_ERR_INTERNAL);
        require(std::isfinite(s_) && s_ > 0 && std::isfinite(u_) && u_ > 0, "smo: bad scale or bound", VIGIL_ERR_INTERNAL);
        require(std::isfinite(opt_.tol) && opt_.tol > 0, "tol must be a positive number");
        for (double v : a_)
            require(v >= 0 && v <= u_, "smo: the starting point is not feasible", VIGIL_ERR_INTERNAL);
        st_.resize(static_cast<size_t>(n_));
        for (int64_t t = 0; t < n_; ++t) st_[t] = status_of(a_[t]);
        hints_ = [this](int64_t want, std::vector<int64_t> &out) { candidates(want, out); };
    }

    SmoResult run() {
        init_gradient();
        const int64_t max_iter = opt_.max_iter > 0 ? opt_.max_iter : std::max<int64_t>(10000000, 100 * n_);
        active_.resize(static_cast<size_t>(n_));
        for (int64_t t = 0; t < n_; ++t) active_[t] = t;
        const int64_t round = std::min<int64_t>(n_, 1000);
        int64_t countdown = round + 1, iter = 0;
        bool capped = false;
        host_.progress(0, 0, "smo");
        for (;;) {
            if (iter >= max_iter) {
                capped = true;
                break;
            }
            if (--countdown == 0) {
                countdown = round;
                host_.check_cancelled();
                host_.progress(static_cast<uint64_t>(iter), 0, "smo");
                if (opt_.shrinking) shrink();
            }
            int64_t i = -1, j = -1;
            if (!select(i, j)) {
                if (static_cast<int64_t>(active_.size()) == n_) break;
                // Optimal on the active set: check again on everything.
                reconstruct();
                activate_all();
                if (!select(i, j)) break;
                countdown = 1;  // shrink again at the next iteration
            }
            ++iter;
            update(i, j);
        }
        if (static_cast<int64_t>(active_.size()) < n_) {
            reconstruct();
            activate_all();
        }
        host_.progress(static_cast<uint64_t>(iter), static_cast<uint64_t>(iter), "smo");
        SmoResult r;
        r.iterations = iter;
        r.reached_max_iter = capped;
        finish(r);
        if (capped) {
            std::ostringstream m;
            m << "smo: stopped at the iteration limit (" << max_iter << " iterations) with violation " << r.violation
              << " > tol " << opt_.tol << "; the solution is approximate (raise max_iter or tol)";
            host_.warn(m.str());
        }
        r.alpha = std::move(a_);
        r.gradient = std::move(g_);
        return r;
    }

private:
    Status status_of(double a) const { return a >= u_ ? kUpper : (a <= 0 ? kLower : kFree); }

    // G = p + Σ_{α_t > 0} α_t Q_t and Ḡ = Σ_{α_t = U} U Q_t, a pass over the
    // rows of the nonzero variables in order (the next ones are the hints).
    void init_gradient() {
        g_ = p_;
        gbar_.assign(static_cast<size_t>(n_), 0.0);
        std::vector<int64_t> nz;
        for (int64_t t = 0; t < n_; ++t)
            if (a_[t] > 0) nz.push_back(t);
        size_t pos = 0;
        const KernelSource::Hints next = [&](int64_t want, std::vector<int64_t> &out) {
            for (size_t q = pos + 1; q < nz.size() && static_cast<int64_t>(out.size()) < want; ++q) out.push_back(nz[q]);
        };
        for (pos = 0; pos < nz.size(); ++pos) {
            const int64_t t = nz[pos];
            const float *q = k_.row(t, &next);
            const double c = s_ * a_[t];
            for (int64_t k = 0; k < n_; ++k) g_[k] += c * q[k];
            if (st_[t] == kUpper) {
                const double cu = s_ * u_;
                for (int64_t k = 0; k < n_; ++k) gbar_[k] += cu * q[k];
            }
            if ((pos & 255) == 255) host_.progress(pos + 1, nz.size(), "smo init");
        }
    }

    // Hints for the kernel cache: the most violating candidates for the next
    // working sets, alternating between I_up (by −G, candidates for i) and
    // I_low (by G, candidates for j).
    void candidates(int64_t want, std::vector<int64_t> &out) {
        up_.clear();
        low_.clear();
        for (int64_t t : active_) {
            if (st_[t] != kUpper) up_.emplace_back(-g_[t], t);
            if (st_[t] != kLower) low_.emplace_back(g_[t], t);
        }
        auto top = [want](std::vector<std::pair<double, int64_t>> &v) {
            const size_t k = std::min(v.size(), static_cast<size_t>(want));
            auto desc = [](const std::pair<double, int64_t> &x, const std::pair<double, int64_t> &y) {
                return x.first > y.first || (x.first == y.first && x.second < y.second);
            };
            std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end(), desc);
            v.resize(k);
            std::sort(v.begin(), v.end(), desc);
        };
        top(up_);
        top(low_);
        for (size_t q = 0; q < std::max(up_.size(), low_.size()); ++q) {
            if (q < up_.size()) out.push_back(up_[q].second);
            if (q < low_.size()) out.push_back(low_[q].second);
        }
    }

    // WSS 2 (see the header). False when the active set is optimal to tol.
    bool select(int64_t &i, int64_t &j) {
        double gmax = -kInf, gmax2 = -kInf;
        i = -1;
        for (int64_t t : active_)
            if (st_[t] != kUpper && -g_[t] > gmax) {
                gmax = -g_[t];
                i = t;
            }
        qi_ = i >= 0 ? k_.row(i, &hints_) : nullptr;
        const double qdi = i >= 0 ? s_ * kd_[i] : 0.0;
        double best = kInf;
        j = -1;
        for (int64_t t : active_) {
            if (st_[t] == kLower) continue;
            if (g_[t] > gmax2) gmax2 = g_[t];
            const double b = gmax + g_[t];
            if (b > 0) {
                double a = qdi + s_ * kd_[t] - 2.0 * s_ * double(qi_[t]);
                if (a <= 0) a = kTau;
                const double decrease = -(b * b) / a;
                if (decrease <= best) {
                    best = decrease;
                    j = t;
                }
            }
        }
        return !(gmax + gmax2 < opt_.tol || j < 0);
    }

    // The two-variable step on (i, j): α_i up, α_j down by the same amount.
    void update(int64_t i, int64_t j) {
        const float *qi = qi_;
        const float *qj = k_.row(j, &hints_);
        const double ai = a_[i], aj = a_[j];
        double a = s_ * (kd_[i] + kd_[j] - 2.0 * double(qi[j]));
        if (a <= 0) a = kTau;
        const double step = (g_[j] - g_[i]) / a;  // > 0: j was chosen with G_j > G_i
        double ni, nj;
        if (step >= std::min(u_ - ai, aj)) {  // clipped at a bound
            if (u_ - ai <= aj) {
                ni = u_;
                nj = aj - (u_ - ai);
            } else {
                nj = 0.0;
                ni = std::min(u_, ai + aj);
            }
        } else {
            ni = std::min(u_, ai + step);
            nj = aj - step;
        }
        a_[i] = ni;
        a_[j] = nj;
        const double ci = s_ * (ni - ai), cj = s_ * (nj - aj);
        if (static_cast<int64_t>(active_.size()) == n_) {
            for (int64_t t = 0; t < n_; ++t) g_[t] += double(qi[t]) * ci + double(qj[t]) * cj;
        } else {
            for (int64_t t : active_) g_[t] += double(qi[t]) * ci + double(qj[t]) * cj;
        }
        bar_update(i, qi, ni);
        bar_update(j, qj, nj);
    }

    // New status of variable t; Ḡ follows when it reaches or leaves U.
    void bar_update(int64_t t, const float *q, double value) {
        const bool was_upper = st_[t] == kUpper;
        st_[t] = status_of(value);
        const bool is_upper = st_[t] == kUpper;
        if (was_upper == is_upper) return;
        const double c = (is_upper ? 1.0 : -1.0) * s_ * u_;
        for (int64_t k = 0; k < n_; ++k) gbar_[k] += c * double(q[k]);
    }

    void shrink() {
        double gmax1 = -kInf, gmax2 = -kInf;  // max_{I_up} −G, max_{I_low} G over the active set
        for (int64_t t : active_) {
            if (st_[t] != kUpper) gmax1 = std::max(gmax1, -g_[t]);
            if (st_[t] != kLower) gmax2 = std::max(gmax2, g_[t]);
        }
        if (!unshrink_ && gmax1 + gmax2 <= 10.0 * opt_.tol) {
            unshrink_ = true;
            reconstruct();
            activate_all();
        }
        // A bounded variable leaves when it cannot be part of a violating pair.
        size_t keep = 0;
        for (int64_t t : active_) {
            const bool out = (st_[t] == kUpper && -g_[t] > gmax1) || (st_[t] == kLower && g_[t] > gmax2);
            if (!out) active_[keep++] = t;
        }
        active_.resize(keep);
    }

    // Exact G for the inactive variables: Ḡ_t + p_t + Σ_{free j} α_j Q_tj.
    // Reads whichever set of rows is smaller (free variables or inactive ones).
    void reconstruct() {
        if (static_cast<int64_t>(active_.size()) == n_) return;
        in_.assign(static_cast<size_t>(n_), 0);
        for (int64_t t : active_) in_[t] = 1;
        std::vector<int64_t> inactive, free;
        for (int64_t t = 0; t < n_; ++t) {
            if (!in_[t]) {
                inactive.push_back(t);
                g_[t] = gbar_[t] + p_[t];
            } else if (st_[t] == kFree) {
                free.push_back(t);
            }
        }
        const std::vector<int64_t> &rows = free.size() <= inactive.size() ? free : inactive;
        size_t pos = 0;
        const KernelSource::Hints next = [&](int64_t want, std::vector<int64_t> &out) {
            for (size_t q = pos + 1; q < rows.size() && static_cast<int64_t>(out.size()) < want; ++q) out.push_back(rows[q]);
        };
        if (&rows == &free) {
            for (pos = 0; pos < free.size(); ++pos) {
                const float *q = k_.row(free[pos], &next);
                const double c = s_ * a_[free[pos]];
                for (int64_t t : inactive) g_[t] += c * double(q[t]);
            }
        } else {
            for (pos = 0; pos < inactive.size(); ++pos) {
                const float *q = k_.row(inactive[pos], &next);
                double sum = 0;
                for (int64_t f : free) sum += a_[f] * double(q[f]);
                g_[inactive[pos]] += s_ * sum;
            }
        }
    }

    void activate_all() {
        active_.resize(static_cast<size_t>(n_));
        for (int64_t t = 0; t < n_; ++t) active_[t] = t;
    }

    void finish(SmoResult &r) const {
        double ub = kInf, lb = -kInf, sum = 0, gup = -kInf, glow = -kInf, obj = 0;
        int64_t nfree = 0, nupper = 0;
        for (int64_t t = 0; t < n_; ++t) {
            obj += a_[t] * (g_[t] + p_[t]);
            if (st_[t] != kUpper) gup = std::max(gup, -g_[t]);
            if (st_[t] != kLower) glow = std::max(glow, g_[t]);
            if (st_[t] == kUpper) {
                lb = std::max(lb, g_[t]);
                ++nupper;
            } else if (st_[t] == kLower) {
                ub = std::min(ub, g_[t]);
            } else {
                sum += g_[t];
                ++nfree;
            }
        }
        if (nfree > 0) r.rho = sum / static_cast<double>(nfree);
        else if (std::isfinite(ub) && std::isfinite(lb)) r.rho = 0.5 * (ub + lb);
        else r.rho = std::isfinite(ub) ? ub : lb;
        r.objective = 0.5 * obj;
        r.free_count = nfree;
        r.upper_count = nupper;
        r.violation = (std::isfinite(gup) && std::isfinite(glow)) ? gup + glow : 0.0;
    }

    KernelSource &k_;
    const std::vector<double> &kd_;
    int64_t n_;
    double s_, u_;
    const std::vector<double> &p_;
    std::vector<double> a_, g_, gbar_;
    std::vector<Status> st_;
    std::vector<int64_t> active_;
    std::vector<uint8_t> in_;
    bool unshrink_ = false;
    const float *qi_ = nullptr;
    SmoOptions opt_;
    sdk::Host host_;
    KernelSource::Hints hints_;
    std::vector<std::pair<double, int64_t>> up_, low_;
};

} // namespace

SmoResult solve_smo(KernelSource &k, double q_scale, const std::vector<double> &p, double upper,
                    std::vector<double> alpha0, const SmoOptions &opt, const sdk::Host &host) {
    Solver s(k, q_scale, p, upper, std::move(alpha0), opt, host);
    return s.run();
}

} // namespace vigil::classic
