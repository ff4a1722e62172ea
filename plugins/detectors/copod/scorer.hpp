// scorer.hpp — COPOD's fitted tables as copod.cpp keeps them, and the one
// operation that differs between the cpu and the cuda variant: the three
// tail sums of many samples.
//
// Why this file exists: copod.cpp is compiled into both variants; each links
// one definition of make_tail_scorer — score_cpu.cpp (OpenMP) or
// score_cuda.cpp (tail_kernel.cu) — chosen by vigil_add_plugin's CPU_SOURCES /
// CUDA_SOURCES.
#pragma once

#include "ecdf.hpp"

#include <vigil/cpp/plugin.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace vigil::copod {

// The fitted model (layout in ecdf.hpp).
struct Model {
    int64_t n = 0, d = 0;
    std::vector<int64_t> start;      // d + 1
    std::vector<float> values;       // distinct values, ascending per feature
    std::vector<int32_t> below;      // start.back() + d entries
    std::vector<double> skewness;    // d, the training skewness (0 for a constant feature)
    std::vector<double> neglog;      // n + 1, derived from n
    std::vector<uint8_t> left_tail;  // d, derived from skewness
    Tables tables() const {
        return Tables{d, start.data(), values.data(), below.data(), neglog.data(), left_tail.data()};
    }
};

class TailScorer {
public:
    virtual ~TailScorer() = default;
    // For each of the m samples of x (m × d, row-major, host memory):
    // out[3i], out[3i+1], out[3i+2] = the sums over features of the left,
    // right and skew-corrected tail terms, added in ecdf.hpp's order (the same
    // bits in both variants and for any thread count). Checks the host's
    // cancellation and reports progress (label "copod", in samples) as it goes.
    virtual void tail_sums(const float *x, int64_t m, double *out) = 0;
};

// The variant's scorer over `model` (the cuda one copies the tables to the
// device); the caller keeps `model` alive and unchanged while it exists.
// The cuda variant throws vigil::sdk::Error(VIGIL_ERR_NO_DEVICE, ...) when no
// device is usable.
std::unique_ptr<TailScorer> make_tail_scorer(const Model &model, const sdk::Host &host);

} // namespace vigil::copod
