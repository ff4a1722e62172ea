// score_cpu.cpp — the cpu variant's PathScorer: every sample walks every tree
// on the host, OpenMP over tiles of 64 samples (vigil/classic/polled_for.hpp: dynamic, so a
// thread the OS preempts does not hold the others up). Within a tile the loop is
// tree-major — one tree stays in cache for 64 walks — and each sample's sum
// starts from 0 and adds h_t in tree order, so neither the thread count nor
// the tiling changes a bit. Compiled into vigil-iforest-cpu only (CPU_SOURCES).
#include <vigil/classic/polled_for.hpp>
#include "scorer.hpp"

#include <algorithm>

namespace vigil::iforest {
namespace {

constexpr int64_t kTile = 64;  // samples walked together, tree by tree

class CpuPathScorer final : public PathScorer {
public:
    CpuPathScorer(const Forest &f, const sdk::Host &host) : f_(f), host_(host) {}

    void path_sums(const float *x, int64_t m, double *sums) override {
        const int64_t trees = f_.trees(), d = f_.d, tiles = (m + kTile - 1) / kTile;
        const Node *nodes = f_.nodes.data();
        const int64_t *off = f_.offsets.data();
        vigil::classic::polled_for(host_, host_.threads(), tiles, "iforest", static_cast<uint64_t>(m),
                   [&](int64_t done) { return static_cast<uint64_t>(std::min(m, done * kTile)); },
                   [&](int64_t tile) {
                       const int64_t i0 = tile * kTile, w = std::min(kTile, m - i0);
                       double acc[kTile] = {};
                       for (int64_t t = 0; t < trees; ++t) {  // tree-major: one tree stays in L1 for the tile
                           const Node *tree = nodes + off[t];
                           for (int64_t i = 0; i < w; ++i) acc[i] += path_length(tree, x + (i0 + i) * d);
                       }
                       std::copy(acc, acc + w, sums + i0);
                   });
    }

private:
    const Forest &f_;
    sdk::Host host_;
};

} // namespace

std::unique_ptr<PathScorer> make_path_scorer(const Forest &forest, const sdk::Host &host) {
    return std::make_unique<CpuPathScorer>(forest, host);
}

} // namespace vigil::iforest
