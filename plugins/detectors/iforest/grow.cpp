// grow.cpp — isolation trees grown on the CPU (the rules are in grow.hpp).
#include "grow.hpp"
#include <vigil/classic/polled_for.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace vigil::iforest {

int height_limit(int64_t psi) {
    int l = 0;
    while ((int64_t(1) << l) < psi) ++l;
    return l;
}

namespace {

// ψ distinct row indices out of n, ascending (Floyd's sampling: ψ draws,
// whatever n is). Ascending order keeps the gathers below cache-friendly.
std::vector<int32_t> sample_rows(int64_t n, int64_t psi, Rng &rng) {
    std::vector<int32_t> rows;
    rows.reserve(static_cast<size_t>(psi));
    if (psi >= n) {
        for (int64_t i = 0; i < n; ++i) rows.push_back(static_cast<int32_t>(i));
        return rows;
    }
    std::unordered_set<int64_t> taken;
    taken.reserve(static_cast<size_t>(psi) * 2);
    for (int64_t j = n - psi; j < n; ++j) {
        const int64_t t = static_cast<int64_t>(rng.below(static_cast<uint64_t>(j) + 1));
        const int64_t pick = taken.count(t) ? j : t;
        taken.insert(pick);
        rows.push_back(static_cast<int32_t>(pick));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

class TreeBuilder {
public:
    TreeBuilder(const float *x, int64_t d, std::vector<int32_t> rows, std::vector<int32_t> feats, int limit, Rng rng)
        : x_(x), d_(d), rows_(std::move(rows)), feats_(std::move(feats)), limit_(limit), rng_(rng) {
        nodes_.reserve(2 * rows_.size() + 1);
        nodes_.push_back(Node{-1, 0.0f, 0});
        build(0, 0, static_cast<int64_t>(rows_.size()), 0, 0);
    }
    std::vector<Node> take() { return std::move(nodes_); }

private:
    float value(int32_t row, int32_t f) const { return x_[static_cast<int64_t>(row) * d_ + f]; }

    void leaf(int32_t node, int depth, int64_t size) {
        nodes_[node] = Node{-1, static_cast<float>(depth + average_path_length(size)), 0};
    }

    // Node `node` holds rows_[lo, hi); feats_[0, n_const) are constant in it.
    void build(int32_t node, int64_t lo, int64_t hi, int depth, int64_t n_const) {
        const int64_t size = hi - lo;
        const int64_t nf = static_cast<int64_t>(feats_.size());
        if (depth >= limit_ || size <= 1) return leaf(node, depth, size);
        while (n_const < nf) {
            const int64_t j = n_const + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(nf - n_const)));
            const int32_t f = feats_[j];
            float mn = value(rows_[lo], f), mx = mn;
            for (int64_t r = lo + 1; r < hi; ++r) {
                const float v = value(rows_[r], f);
                mn = std::min(mn, v);
                mx = std::max(mx, v);
            }
            if (!(mx > mn)) {  // constant here, hence in every descendant: set aside
                std::swap(feats_[j], feats_[n_const]);
                ++n_const;
                continue;
            }
            // Uniform in (min, max), rounded to float; kept in (min, max] so that
            // x < v sends min left and max right.
            float v = static_cast<float>(double(mn) + rng_.unit() * (double(mx) - double(mn)));
            if (!(v > mn)) v = std::nextafter(mn, mx);
            if (v > mx) v = mx;
            const int64_t mid =
                std::partition(rows_.begin() + lo, rows_.begin() + hi, [&](int32_t r) { return value(r, f) < v; }) -
                rows_.begin();
            const int32_t left = static_cast<int32_t>(nodes_.size());
            nodes_.push_back(Node{-1, 0.0f, 0});
            nodes_.push_back(Node{-1, 0.0f, 0});
            nodes_[node] = Node{f, v, left};
            build(left, lo, mid, depth + 1, n_const);
            build(left + 1, mid, hi, depth + 1, n_const);
            return;
        }
        leaf(node, depth, size);  // every feature constant: the node cannot be split
    }

    const float *x_;
    int64_t d_;
    std::vector<int32_t> rows_, feats_;
    int limit_;
    Rng rng_;
    std::vector<Node> nodes_;
};

} // namespace

std::vector<Node> grow_tree(const float *x, int64_t n, int64_t d, const GrowSettings &s, int64_t tree) {
    Rng rng(tree_seed(s.seed, tree));
    std::vector<int32_t> rows = sample_rows(n, s.psi, rng);
    std::vector<int32_t> feats(static_cast<size_t>(d));
    std::iota(feats.begin(), feats.end(), 0);
    if (s.features < d) {  // partial Fisher–Yates: the first `features` entries
        for (int64_t j = 0; j < s.features; ++j)
            std::swap(feats[j], feats[j + static_cast<int64_t>(rng.below(static_cast<uint64_t>(d - j)))]);
        feats.resize(static_cast<size_t>(s.features));
    }
    return TreeBuilder(x, d, std::move(rows), std::move(feats), height_limit(s.psi), rng).take();
}

Forest grow_forest(const float *x, int64_t n, int64_t d, const GrowSettings &s, const sdk::Host &host) {
    std::vector<std::vector<Node>> trees(static_cast<size_t>(s.trees));
    vigil::classic::polled_for(host, s.threads, s.trees, "iforest fit", static_cast<uint64_t>(s.trees),
               [](int64_t done) { return static_cast<uint64_t>(done); },
               [&](int64_t t) { trees[static_cast<size_t>(t)] = grow_tree(x, n, d, s, t); });
    Forest f;
    f.d = d;
    f.psi = s.psi;
    f.offsets.reserve(trees.size() + 1);
    f.offsets.push_back(0);
    for (const auto &t : trees) f.offsets.push_back(f.offsets.back() + static_cast<int64_t>(t.size()));
    f.nodes.reserve(static_cast<size_t>(f.offsets.back()));
    for (auto &t : trees) {
        f.nodes.insert(f.nodes.end(), t.begin(), t.end());
        std::vector<Node>().swap(t);
    }
    return f;
}

} // namespace vigil::iforest
