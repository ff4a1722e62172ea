// svm_detector.hpp — the plugin class the `ocsvm` and `svdd` detectors share:
// parameter reading, fit (kernel resolution, the solver, the fit report),
// scoring in blocks through KernelExpansion, and the checked state with each
// plugin's own magic. A plugin supplies only what differs: its extra parameter
// (ν or C), which dual it solves, and how a kernel sum becomes a score.
// Header-only: compiled into each plugin variant with its own backend.
#pragma once

#include <vigil/classic/kernel_expansion.hpp>
#include <vigil/classic/svm_params.hpp>
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <algorithm>
#include <cfloat>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::classic {

class SvmDetector : public sdk::Detector {
public:
    // `name` names the plugin in messages and logs; `magic` starts its state.
    SvmDetector(sdk::Host host, std::string name, uint32_t magic) : host_(host), name_(std::move(name)), magic_(magic) {}

    void fit(const sdk::TensorRef &x, const sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        sdk::require(n >= 1, "needs at least 1 training sample");
        sdk::require(d >= 1, "training samples have no features");
        const KernelSpec k = resolve_kernel(svm_, data, n, d, host_, name_.c_str());
        SvmFitReport rep;
        SvmModel m = solve(data, n, d, k, rep);
        std::ostringstream msg;
        msg.precision(6);
        msg << name_ << ": " << describe_kernel(k) << ", " << describe_fit(m, rep) << ": " << rep.n_sv
            << " support vectors of " << n << " (" << rep.n_bounded << " at the bound), " << rep.iterations
            << " SMO iterations; " << rep.rows_computed << " kernel rows computed in " << rep.gemm_blocks
            << " GEMM blocks (cache " << rep.cache_rows << " rows)";
        host_.info(msg.str());
        set_state(std::move(m));
    }

    void score(const sdk::TensorRef &x, float *scores) override {
        sdk::require(expansion_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        sdk::require(x.sample_size() == model_.d, "samples have " + std::to_string(x.sample_size()) +
                                                      " features, but the model was fitted on " + std::to_string(model_.d));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<double> sum(static_cast<size_t>(m)), self;
        if (needs_self()) self.resize(static_cast<size_t>(m));
        expansion_->evaluate(data, m, sum.data(), self.empty() ? nullptr : self.data());
        for (int64_t i = 0; i < m; ++i) {
            const double s = to_score(sum[i], self.empty() ? 0.0 : self[i]);
            scores[i] = static_cast<float>(std::max(-double(FLT_MAX), std::min(double(FLT_MAX), s)));  // never ±Inf
        }
    }

    void save(sdk::Writer &w) override {
        sdk::require(expansion_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod<uint32_t>(magic_);
        w.pod<uint32_t>(kFormat);
        write_svm_model(w, model_);
    }

    void load(sdk::Reader &r) override {
        if (r.pod<uint32_t>() != magic_) sdk::fail(VIGIL_ERR_IO, "not an " + name_ + " state (wrong magic)");
        const uint32_t format = r.pod<uint32_t>();
        if (format != kFormat)
            sdk::fail(VIGIL_ERR_IO, name_ + " state format " + std::to_string(format) +
                                        " is not supported (this plugin reads " + std::to_string(kFormat) + ")");
        SvmModel m = read_svm_model(r, name_.c_str());
        r.expect_end();
        if (m.kernel.type != svm_.kernel)
            sdk::fail(VIGIL_ERR_IO, name_ + " state was fitted with kernel " + kernel_name(m.kernel.type) +
                                        ", but the parameters say " + kernel_name(svm_.kernel));
        set_state(std::move(m));
    }

protected:
    static constexpr uint32_t kFormat = 1;

    // The derived constructor reads its parameters, then calls this (after the
    // parameters: a bad value is reported before any device is touched).
    void init(const sdk::Params &p) {
        svm_ = read_svm_params(p);
        backend_ = compute::make_backend(host_);
    }

    // Solve this plugin's dual on the training rows.
    virtual SvmModel solve(const float *data, int64_t n, int64_t d, const KernelSpec &k, SvmFitReport &rep) = 0;
    // "nu 0.5, rho 12.3" or "C 1, R^2 0.4" for the fit log line.
    virtual std::string describe_fit(const SvmModel &m, const SvmFitReport &rep) const = 0;
    // Whether to_score needs K(x, x).
    virtual bool needs_self() const = 0;
    // The score from sum = Σ α_i K(x_i, x) and self = K(x, x).
    virtual double to_score(double sum, double self) const = 0;

    sdk::Host host_;
    SvmParams svm_;
    std::unique_ptr<compute::Backend> backend_;
    SvmModel model_;

private:
    void set_state(SvmModel m) {
        auto e = std::make_unique<KernelExpansion>(*backend_, host_, m);  // first: a failure keeps the old model
        model_ = std::move(m);
        expansion_ = std::move(e);
    }

    std::string name_;
    uint32_t magic_;
    std::unique_ptr<KernelExpansion> expansion_;
};

} // namespace vigil::classic
