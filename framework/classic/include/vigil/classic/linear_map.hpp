// linear_map.hpp — y = M (x − μ) on the backend: the transform shared by the
// `pca` and `zca` extractors (and any extractor that is an affine map).
//
// Why this file exists: both extractors centre a sample and multiply it by a
// matrix learnt at fit; blocking, uint8 input, the GEMM on the backend and the
// state's save/load/validation are the same, so they live here once.
#pragma once

#include <vigil/compute/backend.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigil::classic {

// Rows [i0, i0 + m) of x (uint8 or float32, d values per row) as float32: a
// pointer into x when it is float32, else converted into buf.
const float *float_rows(const sdk::TensorRef &x, int64_t i0, int64_t m, std::vector<float> &buf);

// All of x as one float32 matrix (a copy only for uint8 input).
const float *float_all(const sdk::TensorRef &x, std::vector<float> &buf);

class LinearMap {
public:
    // `who` names the plugin in messages.
    explicit LinearMap(std::string who) : who_(std::move(who)) {}

    bool fitted() const { return in_ > 0; }
    int64_t in_features() const { return in_; }
    int64_t out_features() const { return out_; }

    // mean: D values; matrix: K x D row-major (y = matrix · (x − mean)).
    // Uploads the matrix; on failure the previous map is kept.
    void set(compute::Backend &backend, std::vector<float> mean, std::vector<float> matrix);

    // out (N x K) for in (N x D, uint8 or float32), in blocks of 2048 rows;
    // checks cancellation and reports progress (label "<who> transform").
    void apply(compute::Backend &backend, const sdk::Host &host, const sdk::TensorRef &in, float *out) const;

    // State: format version (1), D, K, mean, matrix — the whole state of an
    // extractor that is one affine map. read() checks the version, sizes,
    // finiteness and that nothing follows (IO errors naming `who`), and
    // uploads the matrix.
    void save(sdk::Writer &w) const;
    static LinearMap read(compute::Backend &backend, sdk::Reader &r, const std::string &who);

private:
    std::string who_;
    int64_t in_ = 0, out_ = 0;
    std::vector<float> mean_, matrix_;
    std::unique_ptr<compute::Resident> resident_;
};

} // namespace vigil::classic
