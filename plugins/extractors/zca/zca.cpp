// zca.cpp — the `zca` extractor: ZCA ("zero-phase") whitening,
//     y = W (x − μ),   W = U (Λ + ε I)^{-1/2} Uᵀ,
// with C = U Λ Uᵀ the training covariance (framework/classic/pca.hpp). Of all
// whitening matrices W is the one whose output stays closest to the input
// (Bell & Sejnowski 1997), so whitened images still look like images. ε
// regularises the directions of (near) zero variance — raw pixels have constant
// borders, so Λ is singular and ε = 0 would divide by zero: ε = 0 is refused
// when the covariance is singular. The default ε = 0.01 suits pixels scaled to
// [0, 1] (our choice; no paper of ../shared/papers fixes it).
#include <vigil/classic/linear_map.hpp>
#include <vigil/classic/pca.hpp>
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "eps": {"type": "number", "minimum": 0, "default": 0.01,
            "description": "added to every covariance eigenvalue before the inverse square root (regularises flat directions); 0 = exact whitening, refused when the covariance is singular"}
  }})json";

class Zca : public vigil::sdk::Extractor {
public:
    Zca(const nlohmann::json &p, vigil::sdk::Host host)
        : host_(host), backend_(vigil::compute::make_backend(host)), map_("zca") {
        const vigil::sdk::Params params(p, "zca", {"eps"});
        eps_ = params.number("eps", 0.01, 0.0, HUGE_VAL);
    }

    vigil_shape output_shape(const vigil_shape &in) override {
        vigil_shape out{};
        out.rank = 1;
        out.dims[0] = vigil::sdk::shape_elements(in, "zca");
        return out;
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        x.require_uint8_or_float32("zca");
        const int64_t n = x.samples(), d = x.sample_size();
        std::vector<float> buf;
        const vigil::classic::Pca p = vigil::classic::fit_pca(host_, vigil::classic::float_all(x, buf), n, d);
        Eigen::VectorXd scale(d);
        for (int64_t i = 0; i < d; ++i) {
            const double l = p.variances[i] + eps_;
            if (!(l > 1e-12 * (p.variances[0] + eps_)) || !(l > 0))
                fail(VIGIL_ERR_INVALID_ARGUMENT, "zca: the training covariance is singular (" +
                                                     std::to_string(d - i) + " of " + std::to_string(d) +
                                                     " eigenvalues are zero); set eps > 0 (default 0.01)");
            scale(i) = 1.0 / std::sqrt(l);
        }
        using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Mat u = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                          p.axes.data(), d, d).cast<double>();  // row i = axis i
        const Mat w = u.transpose() * scale.asDiagonal() * u;     // U diag Uᵀ with U's columns = axes
        std::vector<float> wf(static_cast<size_t>(d * d));
        for (int64_t i = 0; i < d * d; ++i) wf[i] = static_cast<float>(w.data()[i]);
        map_.set(*backend_, p.mean, std::move(wf));
    }

    void transform(const vigil::sdk::TensorRef &in, float *out) override { map_.apply(*backend_, host_, in, out); }

    void save(vigil::sdk::Writer &w) override { map_.save(w); }

    void load(vigil::sdk::Reader &r) override {
        vigil::classic::LinearMap m = vigil::classic::LinearMap::read(*backend_, r, "zca");
        if (m.out_features() != m.in_features()) fail(VIGIL_ERR_IO, "zca: state is not a square map");
        map_ = std::move(m);
    }

private:
    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    vigil::classic::LinearMap map_;
    double eps_ = 0.01;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Zca, "zca", "1.0.0",
                     "ZCA whitening learnt on the training set: W = U (L + eps)^-1/2 U^T applied to the centred sample",
                     kSchema)
