// grow.hpp — growing the isolation trees (Liu, Ting & Zhou 2008, Algorithms 1
// and 2) on the CPU, with reproducible randomness.
//
// Why this file exists: growing is the only random part of the method and
// the only part that is the same in both variants; it is kept apart from the
// plugin class so that its rules are in one place.
//
// Why the fit stays on the CPU in the cuda variant: each tree sees a random
// sub-sample of ψ = 256 rows (by default) and only touches the features it
// actually splits on, a few thousand values per tree; 100 trees take a few
// milliseconds on one core, less than copying the training set to a device.
#pragma once

#include "scorer.hpp"

#include <vigil/cpp/plugin.hpp>

#include <cstdint>
#include <vector>

namespace vigil::iforest {

// Deterministic random numbers: SplitMix64 (Steele, Lea & Flood 2014), a
// 64-bit counter passed through a bijective mixer. Fully specified here, so
// a seed gives the same trees with every compiler and standard library
// (std::uniform_*_distribution are implementation-defined).
class Rng {
    __extension__ typedef unsigned __int128 u128;  // GCC/Clang; __extension__ keeps -pedantic quiet

public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    uint64_t next() { return mix(s_ += 0x9E3779B97F4A7C15ull); }
    // Uniform integer in [0, n), n >= 1: the high 64 bits of next() * n
    // (bias below n / 2^64, far below anything measurable here).
    uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<u128>(next()) * n) >> 64); }
    // Uniform double in [0, 1) with 53 random bits.
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    static uint64_t mix(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    uint64_t s_;
};

// The seed of tree t under the host seed: independent streams per tree, so
// the forest does not depend on which thread grows which tree.
inline uint64_t tree_seed(uint64_t host_seed, int64_t t) {
    return Rng::mix(host_seed + 0x5851F42D4C957F2Dull) ^ Rng::mix(static_cast<uint64_t>(t) * 0xD1342543DE82EF95ull + 1);
}

struct GrowSettings {
    int64_t trees = 100;
    int64_t psi = 256;        // sub-sample size, already min(max_samples, N)
    int64_t features = 0;     // features per tree, 1..d (max_features · d, at least 1)
    uint64_t seed = 0;        // the host's seed
    unsigned threads = 1;     // OpenMP threads growing trees in parallel
};

// Height limit l = ceil(log2 ψ) (0 for ψ = 1), as the paper and scikit-learn.
int height_limit(int64_t psi);

// One tree over the n × d row-major training data x:
//  1. ψ rows drawn without replacement (Floyd's algorithm; all rows when ψ = n),
//  2. the tree's features: all d, or `features` of them drawn without replacement,
//  3. recursive splits until depth l or a node of at most one sample. At each
//     node the split feature is uniform among the tree's features whose values
//     in the node are not all equal (drawn by rejection: a feature found
//     constant is set aside for the whole subtree, as scikit-learn's splitter
//     does), the split value v uniform in (min, max) of that feature in the
//     node, rounded to float and kept in (min, max]; x < v goes left, so both
//     children are non-empty. When every feature is constant in the node (all
//     its samples are equal on the tree's features) the node becomes external
//     with its full size, h = depth + c(size) — the paper's rule for |X| > 1
//     that cannot be split.
// Returns the tree's nodes (root first).
std::vector<Node> grow_tree(const float *x, int64_t n, int64_t d, const GrowSettings &s, int64_t tree);

// All trees, grown in parallel (s.threads threads, vigil/classic/polled_for.hpp: the host's
// cancellation checked and progress reported per tree, label "iforest fit").
// The result does not depend on the thread count.
Forest grow_forest(const float *x, int64_t n, int64_t d, const GrowSettings &s, const sdk::Host &host);

} // namespace vigil::iforest
