// iforest.cpp — the `iforest` detector: Isolation Forest (Liu, Ting & Zhou,
// ICDM 2008).
//
// Fit: `trees` isolation trees, each grown on ψ = min(max_samples, N) rows
// drawn without replacement, to height limit ceil(log2 ψ), on a random
// max_features share of the features (grow.hpp has the rules, including what
// happens when every feature is constant in a node).
// Score (paper eq. 2): s(x) = 2^(−E[h(x)] / c(ψ)), E[h(x)] the mean over the
// trees of the path length h(x) = depth of the external node x reaches +
// c(size of that node); c(n) in scorer.hpp. Higher = more anomalous; s is in
// (0, 1], and equals scikit-learn 1.2's −IsolationForest.score_samples(x)
// for the same trees. With ψ = 1 (one training sample) c(ψ) = 0 and every
// sample scores 0.5, as in scikit-learn; with all training samples equal the
// root cannot be split and every sample scores 2^(−c(ψ)/c(ψ)) = 0.5 too.
//
// Randomness: the host's seed (Host::seed, read at fit); tree t draws from
// its own stream (grow.hpp: tree_seed), so trees are grown in parallel and
// the forest is the same for any thread count. Scoring sums the per-tree
// path lengths in double in tree order (scorer.hpp), so scores are the same
// bits for any thread count, batch split and backend.
//
// Variants: the cpu and cuda libraries share this file and grow.cpp; scoring
// is score_cpu.cpp (OpenMP) or score_cuda.cpp + walk_kernel.cu (one CUDA
// thread per sample × tree). State: the flat trees (forest.hpp), ψ and D.
#include "grow.hpp"
#include "scorer.hpp"

#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <climits>
#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;
namespace fi = vigil::iforest;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "trees": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 100,
              "description": "number of isolation trees"},
    "max_samples": {"type": "integer", "minimum": 1, "maximum": 16777216, "default": 256,
                    "description": "rows drawn (without replacement) to grow each tree; min(max_samples, training samples) is used, so the default 256 is scikit-learn's \"auto\""},
    "max_features": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 1.0,
                     "description": "share of the features each tree may split on: max(1, floor(max_features * D)) features drawn per tree without replacement"}
  }})json";

constexpr uint32_t kMagic = 0x52464956;  // "VIFR"
constexpr uint32_t kFormat = 1;

class IsolationForest : public vigil::sdk::Detector {
public:
    IsolationForest(const nlohmann::json &params, vigil::sdk::Host host) : host_(host) {
        const vigil::sdk::Params p(params, "iforest", {"trees", "max_samples", "max_features"});
        trees_ = p.integer("trees", 100, 1, 100000);
        max_samples_ = p.integer("max_samples", 256, 1, 16777216);
        max_features_ = p.number("max_features", 1.0, 0.0, 1.0, true);
        vigil::compute::require_device();
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 1, "needs at least 1 training sample, got 0");
        require(d >= 1, "training samples have no features");
        require(n <= INT32_MAX && d <= INT32_MAX, "iforest supports at most 2^31 - 1 training samples and features");
        fi::GrowSettings s;
        s.trees = trees_;
        s.psi = std::min<int64_t>(max_samples_, n);
        s.features = std::max<int64_t>(1, static_cast<int64_t>(max_features_ * static_cast<double>(d)));
        s.features = std::min(s.features, d);
        s.seed = host_.seed();
        s.threads = host_.threads();
        auto forest = std::make_unique<fi::Forest>(fi::grow_forest(data, n, d, s, host_));
        set_state(std::move(forest));
        host_.info("grew " + std::to_string(trees_) + " trees on psi = " + std::to_string(s.psi) + " of " +
                   std::to_string(n) + " samples (height limit " + std::to_string(fi::height_limit(s.psi)) + ", " +
                   std::to_string(s.features) + " of " + std::to_string(d) + " features, " +
                   std::to_string(forest_->nodes.size()) + " nodes)");
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(forest_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == forest_->d, "samples have " + std::to_string(x.sample_size()) +
                                                   " features, but the model was fitted on " +
                                                   std::to_string(forest_->d));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<double> sums(static_cast<size_t>(m));
        scorer_->path_sums(data, m, sums.data());
        // s = 2^(−E[h]/c(ψ)); c(1) = 0 (one training sample): no information, 0.5.
        const double denom = static_cast<double>(forest_->trees()) * fi::average_path_length(forest_->psi);
        for (int64_t i = 0; i < m; ++i)
            scores[i] = denom > 0 ? static_cast<float>(std::exp2(-sums[static_cast<size_t>(i)] / denom)) : 0.5f;
    }

    void save(vigil::sdk::Writer &w) override {
        require(forest_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod(kMagic);
        w.pod(kFormat);
        w.pod<int64_t>(forest_->d);
        w.pod<int64_t>(forest_->psi);
        w.vec(forest_->offsets);
        w.vec(forest_->nodes);
    }

    void load(vigil::sdk::Reader &r) override {
        if (r.pod<uint32_t>() != kMagic) fail(VIGIL_ERR_IO, "not an iforest state (bad magic)");
        const uint32_t format = r.pod<uint32_t>();
        if (format != kFormat)
            fail(VIGIL_ERR_IO, "iforest state format " + std::to_string(format) + " is not supported (this plugin reads " +
                                   std::to_string(kFormat) + ")");
        auto f = std::make_unique<fi::Forest>();
        f->d = r.pod<int64_t>();
        f->psi = r.pod<int64_t>();
        f->offsets = r.vec<int64_t>();
        f->nodes = r.vec<fi::Node>();
        r.expect_end();
        validate(*f);
        set_state(std::move(f));
    }

private:
    // A state that passes these checks can be walked safely: every feature
    // index is in range, every child index is inside its tree and larger than
    // its parent's (so each walk ends), every value is finite.
    static void validate(const fi::Forest &f) {
        const auto bad = [](const std::string &why) { fail(VIGIL_ERR_IO, "iforest state is malformed: " + why); };
        if (f.d < 1 || f.d > INT32_MAX) bad("feature count " + std::to_string(f.d));
        if (f.psi < 1 || f.psi > 16777216) bad("sub-sample size " + std::to_string(f.psi));
        if (f.offsets.size() < 2 || f.offsets.front() != 0 ||
            f.offsets.back() != static_cast<int64_t>(f.nodes.size()))
            bad("tree offsets do not cover the " + std::to_string(f.nodes.size()) + " nodes");
        for (int64_t t = 0; t < f.trees(); ++t) {
            const int64_t a = f.offsets[t], b = f.offsets[t + 1];
            if (b <= a || b > static_cast<int64_t>(f.nodes.size()) || b - a > INT32_MAX)
                bad("tree offsets are not increasing within the " + std::to_string(f.nodes.size()) + " nodes");
            for (int64_t i = a; i < b; ++i) {
                const fi::Node &n = f.nodes[static_cast<size_t>(i)];
                if (!std::isfinite(n.value)) bad("non-finite value in tree " + std::to_string(t));
                if (n.feature >= 0) {
                    if (n.feature >= f.d || n.left <= i - a || int64_t(n.left) + 1 >= b - a)
                        bad("node " + std::to_string(i - a) + " of tree " + std::to_string(t) +
                            " points outside its tree");
                } else if (n.feature != -1 || n.left != 0 || n.value < 0) {
                    bad("external node " + std::to_string(i - a) + " of tree " + std::to_string(t) + " is invalid");
                }
            }
        }
    }

    void set_state(std::unique_ptr<fi::Forest> f) {
        auto sc = fi::make_path_scorer(*f, host_);  // first: a failure leaves the previous model intact
        scorer_.reset();
        forest_ = std::move(f);
        scorer_ = std::move(sc);
    }

    vigil::sdk::Host host_;
    int64_t trees_ = 100, max_samples_ = 256;
    double max_features_ = 1.0;
    std::unique_ptr<fi::Forest> forest_;
    std::unique_ptr<fi::PathScorer> scorer_;  // refers to *forest_
};

} // namespace

VIGIL_VARIANT_PLUGIN(IsolationForest, "iforest", "1.0.0",
                     "Isolation Forest (Liu, Ting & Zhou 2008): 2^(-mean path length / c(psi)) over random isolation "
                     "trees; higher = more anomalous",
                     kSchema)
