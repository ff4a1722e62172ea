// scorer.hpp — the fitted forest as iforest.cpp keeps it, and the one
// operation that differs between the cpu and the cuda variant: summing the
// path lengths of many samples over all trees.
//
// Why this file exists: iforest.cpp (parameters, fit, state, the final score)
// is compiled into both variants; each variant links exactly one definition
// of make_path_scorer — score_cpu.cpp (OpenMP) or score_cuda.cpp (a CUDA
// kernel, walk_kernel.cu) — chosen by vigil_add_plugin's CPU_SOURCES /
// CUDA_SOURCES. Fitting stays on the CPU in both (grow.hpp says why).
#pragma once

#include "forest.hpp"

#include <vigil/cpp/plugin.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace vigil::iforest {

struct Forest {
    int64_t d = 0;                 // features of every sample
    int64_t psi = 0;               // sub-sample size ψ each tree was grown on
    std::vector<int64_t> offsets;  // trees + 1: tree t is nodes[offsets[t] .. offsets[t+1])
    std::vector<Node> nodes;
    int64_t trees() const { return offsets.empty() ? 0 : static_cast<int64_t>(offsets.size()) - 1; }
};

// c(n), the average path length of an unsuccessful search in a binary search
// tree of n keys (paper eq. 1), with H(i) ≈ ln(i) + γ:
//     c(n) = 2 H(n−1) − 2(n−1)/n  for n > 2,   c(2) = 1,   c(n) = 0 for n <= 1.
// This is exactly scikit-learn 1.2's _average_path_length: the ln + γ
// approximation for every n > 2 (not exact harmonic numbers) and c(2) = 1
// (the 2012 journal version of the paper; eq. 1 itself would give 2γ − 1).
inline double average_path_length(int64_t n) {
    if (n <= 1) return 0.0;
    if (n == 2) return 1.0;
    const double m = static_cast<double>(n);
    return 2.0 * (std::log(m - 1.0) + 0.5772156649015329) - 2.0 * (m - 1.0) / m;
}

class PathScorer {
public:
    virtual ~PathScorer() = default;
    // sums[i] = Σ_t h_t(x_i) over the trees in order t = 0, 1, …, accumulated
    // in double from 0 (each h_t a float from path_length): the same bits in
    // both variants and for any thread count. x is m × d, row-major, host
    // memory. Checks the host's cancellation and reports progress (label
    // "iforest", in samples) as it goes.
    virtual void path_sums(const float *x, int64_t m, double *sums) = 0;
};

// The variant's scorer over `forest`, which it may copy to the device; the
// caller keeps `forest` alive and unchanged while the scorer exists.
// The cuda variant throws vigil::sdk::Error (VIGIL_ERR_NO_DEVICE, ...) when
// no device is usable.
std::unique_ptr<PathScorer> make_path_scorer(const Forest &forest, const sdk::Host &host);

} // namespace vigil::iforest
