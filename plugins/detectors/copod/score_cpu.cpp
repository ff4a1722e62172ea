// score_cpu.cpp — the cpu variant's TailScorer: OpenMP over tiles of 64
// samples (vigil/classic/polled_for.hpp: dynamic, so a thread the OS preempts does not hold
// the others up; a tile's result does not depend on which thread computes it). Within a block the loop runs feature by feature over the block's
// samples (so one feature's sorted values stay in cache for all of them),
// but every sample's terms are added in exactly ecdf.hpp's order: chunk
// partials from 0, features ascending, then the partials in chunk order.
// Compiled into vigil-copod-cpu only (CPU_SOURCES).
#include <vigil/classic/polled_for.hpp>
#include "scorer.hpp"

#include <algorithm>

namespace vigil::copod {
namespace {

constexpr int64_t kTile = 64;  // samples per inner tile

class CpuTailScorer final : public TailScorer {
public:
    CpuTailScorer(const Model &m, const sdk::Host &host) : m_(m), host_(host) {}

    void tail_sums(const float *x, int64_t m, double *out) override {
        const Tables t = m_.tables();
        const int64_t d = m_.d, chunks = chunk_count(d), tiles = (m + kTile - 1) / kTile;
        vigil::classic::polled_for(host_, host_.threads(), tiles, "copod", static_cast<uint64_t>(m),
                   [&](int64_t done) { return static_cast<uint64_t>(std::min(m, done * kTile)); },
                   [&](int64_t tile) {
                       const int64_t i0 = tile * kTile, w = std::min(kTile, m - i0);
                       double tot[3][kTile] = {}, part[3][kTile];
                       for (int64_t c = 0; c < chunks; ++c) {
                           for (int k = 0; k < 3; ++k) std::fill(part[k], part[k] + w, 0.0);
                           const int64_t j1 = std::min(d, (c + 1) * kChunk);
                           for (int64_t j = c * kChunk; j < j1; ++j) {
                               const bool use_left = t.left_tail[j] != 0;
                               for (int64_t i = 0; i < w; ++i) {
                                   double a, b;
                                   feature_tails(t, j, x[(i0 + i) * d + j], a, b);
                                   part[0][i] += a;
                                   part[1][i] += b;
                                   part[2][i] += use_left ? a : b;
                               }
                           }
                           for (int k = 0; k < 3; ++k)
                               for (int64_t i = 0; i < w; ++i) tot[k][i] += part[k][i];
                       }
                       for (int64_t i = 0; i < w; ++i)
                           for (int k = 0; k < 3; ++k) out[(i0 + i) * 3 + k] = tot[k][i];
                   });
    }

private:
    const Model &m_;
    sdk::Host host_;
};

} // namespace

std::unique_ptr<TailScorer> make_tail_scorer(const Model &model, const sdk::Host &host) {
    return std::make_unique<CpuTailScorer>(model, host);
}

} // namespace vigil::copod
