// raw.cpp — the `raw` extractor: each sample flattened to one feature vector
// of its (optionally rescaled) values.
//
// Why this plugin exists: the simplest baselines (kNN, Mahalanobis, PCA,
// OC-SVM on pixels) work on raw pixel vectors, and a pipeline needs a stage
// that turns N x C x H x W images into N x D features. Stateless.
#include <vigil/cpp/plugin.hpp>

#include <cmath>
#include <string>

namespace {

using vigil::sdk::fail;

const char *kSchema = R"({
  "type": "object",
  "properties": {
    "scale": {
      "description": "Factor applied to every value. \"auto\": uint8 input is divided by 255 (pixels in [0, 1]), float32 input is passed through unchanged. A number multiplies every value (after conversion to float), whatever the input type.",
      "anyOf": [ {"type": "string", "enum": ["auto"]}, {"type": "number"} ],
      "default": "auto"
    }
  },
  "additionalProperties": false
})";

class Raw : public vigil::sdk::Extractor {
public:
    Raw(const nlohmann::json &p, vigil::sdk::Host host) : host_(host) {
        const nlohmann::json s = p.value("scale", nlohmann::json("auto"));
        if (s.is_number()) {
            auto_ = false;
            scale_ = s.get<double>();
        } else if (!(s.is_string() && s.get<std::string>() == "auto")) {
            fail(VIGIL_ERR_INVALID_ARGUMENT, "scale must be \"auto\" or a number, got " + s.dump());
        }
    }

    vigil_shape output_shape(const vigil_shape &in) override {
        vigil_shape out{};
        out.rank = 1;
        out.dims[0] = vigil::sdk::shape_elements(in, "raw");
        return out;
    }

    void transform(const vigil::sdk::TensorRef &in, float *out) override {
        in.require_uint8_or_float32("raw");
        const int64_t n = in.numel();
        if (in.dtype() == VIGIL_DTYPE_UINT8) {
            // "auto": pixels 0..255 -> [0, 1], v / 255 computed in double and
            // rounded once to float (so 255 -> 1.0f exactly).
            const uint8_t *p = in.data<uint8_t>();
            for (int64_t i = 0; i < n; ++i)
                out[i] = static_cast<float>(auto_ ? p[i] / 255.0 : p[i] * scale_);
        } else {
            const float *p = in.f32();
            for (int64_t i = 0; i < n; ++i) out[i] = auto_ ? p[i] : static_cast<float>(p[i] * scale_);
        }
        // A large factor can push float32 values past FLT_MAX; never hand on Inf.
        if (!auto_)
            for (int64_t i = 0; i < n; ++i)
                if (!std::isfinite(out[i]))
                    fail(VIGIL_ERR_INVALID_ARGUMENT, "raw: scaling by " + std::to_string(scale_) +
                                                         " overflows float32 at element " + std::to_string(i));
        host_.check_cancelled();
    }

private:
    vigil::sdk::Host host_;
    bool auto_ = true;
    double scale_ = 1.0;
};

} // namespace

VIGIL_PLUGIN(Raw, "raw", "1.0.0", "Flattens each sample to a feature vector of its values (uint8 scaled to [0, 1] by default)",
             kSchema)
