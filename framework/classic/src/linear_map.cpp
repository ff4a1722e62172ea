// linear_map.cpp — LinearMap and the float row helpers (linear_map.hpp).
#include <vigil/classic/linear_map.hpp>

#include <algorithm>
#include <cmath>

namespace vigil::classic {

using sdk::fail;
using sdk::require;

const float *float_rows(const sdk::TensorRef &x, int64_t i0, int64_t m, std::vector<float> &buf) {
    const int64_t d = x.sample_size();
    if (x.dtype() == VIGIL_DTYPE_FLOAT32) return x.data<float>() + i0 * d;
    require(x.dtype() == VIGIL_DTYPE_UINT8, "input must be uint8 or float32");
    buf.resize(static_cast<size_t>(m * d));
    const uint8_t *p = x.data<uint8_t>() + i0 * d;
    for (int64_t i = 0; i < m * d; ++i) buf[i] = p[i];
    return buf.data();
}

const float *float_all(const sdk::TensorRef &x, std::vector<float> &buf) { return float_rows(x, 0, x.samples(), buf); }

void LinearMap::set(compute::Backend &backend, std::vector<float> mean, std::vector<float> matrix) {
    const int64_t d = static_cast<int64_t>(mean.size());
    require(d > 0 && !matrix.empty() && matrix.size() % mean.size() == 0, who_ + ": bad linear map sizes", VIGIL_ERR_INTERNAL);
    const int64_t k = static_cast<int64_t>(matrix.size()) / d;
    auto r = backend.upload(matrix.data(), k, d);
    in_ = d;
    out_ = k;
    mean_ = std::move(mean);
    matrix_ = std::move(matrix);
    resident_ = std::move(r);
}

void LinearMap::apply(compute::Backend &backend, const sdk::Host &host, const sdk::TensorRef &in, float *out) const {
    require(fitted(), who_ + ": transform called before fit (fit it on the training set, or load a fitted state)",
            VIGIL_ERR_STATE);
    const int64_t n = in.samples(), d = in.sample_size();
    require(d == in_, who_ + ": input has " + std::to_string(d) + " features per sample, but fit saw " + std::to_string(in_));
    in.require_uint8_or_float32(who_);
    const int64_t B = 2048;
    std::vector<float> buf, xc;
    for (int64_t b0 = 0; b0 < n; b0 += B) {
        host.check_cancelled();
        const int64_t mb = std::min(B, n - b0);
        const float *x = float_rows(in, b0, mb, buf);
        xc.assign(x, x + mb * d);
        for (int64_t i = 0; i < mb; ++i)
            for (int64_t j = 0; j < d; ++j) xc[i * d + j] -= mean_[j];
        backend.matmul_abt(xc.data(), mb, *resident_, out + b0 * out_);
        host.progress(static_cast<uint64_t>(b0 + mb), static_cast<uint64_t>(n), (who_ + " transform").c_str());
    }
}

namespace {
constexpr uint32_t kStateVersion = 1;
}

void LinearMap::save(sdk::Writer &w) const {
    require(fitted(), who_ + ": save called before fit", VIGIL_ERR_STATE);
    w.pod(kStateVersion);
    w.pod<int64_t>(in_);
    w.pod<int64_t>(out_);
    w.vec(mean_);
    w.vec(matrix_);
}

LinearMap LinearMap::read(compute::Backend &backend, sdk::Reader &r, const std::string &who) {
    const auto version = r.pod<uint32_t>();
    if (version != kStateVersion) fail(VIGIL_ERR_IO, who + ": unknown state version " + std::to_string(version));
    const int64_t d = r.pod<int64_t>(), k = r.pod<int64_t>();
    std::vector<float> mean = r.vec<float>(), matrix = r.vec<float>();
    r.expect_end();
    if (d <= 0 || k <= 0 || mean.size() != static_cast<size_t>(d) || matrix.size() != static_cast<size_t>(d * k))
        fail(VIGIL_ERR_IO, who + ": state is malformed (D = " + std::to_string(d) + ", K = " + std::to_string(k) + ")");
    for (float v : mean) if (!std::isfinite(v)) fail(VIGIL_ERR_IO, who + ": state holds a non-finite value");
    for (float v : matrix) if (!std::isfinite(v)) fail(VIGIL_ERR_IO, who + ": state holds a non-finite value");
    LinearMap m(who);
    m.set(backend, std::move(mean), std::move(matrix));
    return m;
}

} // namespace vigil::classic
