// pca_extractor.cpp — the `pca` extractor: each sample becomes its coordinates
// on the `components` leading principal axes of the training set,
//     y = U_k (x − μ),   or with whiten   y_i = u_iᵀ(x − μ) / √λ_i,
// as scikit-learn's PCA(n_components=k, whiten=...).transform, with its sign
// convention for the axes (orient_like_sklearn, framework/classic/pca.hpp).
// The output size must be known before fit (vigil_plugin.h: output_shape
// depends only on the parameters), so the extractor takes a component count,
// not a variance fraction; the `pca` detector takes either.
#include <vigil/classic/linear_map.hpp>
#include <vigil/classic/pca.hpp>
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "components": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 64,
                   "description": "number of leading principal axes: the output size (at most the input's features)"},
    "whiten": {"type": "boolean", "default": false,
               "description": "divide each coordinate by the square root of its training variance (unit variance outputs)"}
  }})json";

class PcaExtractor : public vigil::sdk::Extractor {
public:
    PcaExtractor(const nlohmann::json &p, vigil::sdk::Host host)
        : host_(host), backend_(vigil::compute::make_backend(host)), map_("pca") {
        const vigil::sdk::Params params(p, "pca", {"components", "whiten"});
        k_ = params.integer("components", 64, 1, 1000000);
        whiten_ = params.boolean("whiten", false);
    }

    vigil_shape output_shape(const vigil_shape &in) override {
        const int64_t d = vigil::sdk::shape_elements(in, "pca");
        require(k_ <= d, "pca: components = " + std::to_string(k_) + " exceeds the " + std::to_string(d) +
                             " input features per sample");
        vigil_shape out{};
        out.rank = 1;
        out.dims[0] = k_;
        return out;
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        x.require_uint8_or_float32("pca");
        const int64_t n = x.samples(), d = x.sample_size();
        require(k_ <= d, "pca: components = " + std::to_string(k_) + " exceeds the " + std::to_string(d) +
                             " input features per sample");
        std::vector<float> buf;
        const vigil::classic::Pca p = vigil::classic::fit_pca(host_, vigil::classic::float_all(x, buf), n, d);
        std::vector<float> m = vigil::classic::leading_axes(p, k_);
        vigil::classic::orient_like_sklearn(m, k_, p.mean, vigil::classic::float_all(x, buf), n, d);
        if (whiten_)
            for (int64_t i = 0; i < k_; ++i) {
                // A zero-variance axis cannot be scaled to unit variance.
                if (!(p.variances[i] > 1e-12 * p.variances[0]))
                    fail(VIGIL_ERR_INVALID_ARGUMENT,
                         "pca: component " + std::to_string(i + 1) + " of " + std::to_string(k_) +
                             " has zero variance on the training set, so it cannot be whitened; ask for fewer components or set whiten to false");
                const double s = 1.0 / std::sqrt(p.variances[i]);
                for (int64_t j = 0; j < d; ++j) m[i * d + j] = static_cast<float>(m[i * d + j] * s);
            }
        map_.set(*backend_, p.mean, std::move(m));
    }

    void transform(const vigil::sdk::TensorRef &in, float *out) override { map_.apply(*backend_, host_, in, out); }

    void save(vigil::sdk::Writer &w) override { map_.save(w); }

    void load(vigil::sdk::Reader &r) override {
        vigil::classic::LinearMap m = vigil::classic::LinearMap::read(*backend_, r, "pca");
        if (m.out_features() != k_)
            fail(VIGIL_ERR_IO, "pca: the state has " + std::to_string(m.out_features()) +
                                   " components, the parameters ask for " + std::to_string(k_));
        map_ = std::move(m);
    }

private:
    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    vigil::classic::LinearMap map_;
    int64_t k_ = 64;
    bool whiten_ = false;
};

} // namespace

VIGIL_VARIANT_PLUGIN(PcaExtractor, "pca", "1.0.0",
                     "coordinates on the leading principal axes of the training set, optionally whitened (like sklearn's PCA.transform)",
                     kSchema)
