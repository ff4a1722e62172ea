// lof.cpp — the `lof` detector: Local Outlier Factor (Breunig, Kriegel, Ng &
// Sander, SIGMOD 2000) in novelty mode, as scikit-learn's
// LocalOutlierFactor(n_neighbors=k, novelty=True).
//
// With d(·,·) Euclidean, N_k(p) the k nearest training samples of p and
// k-dist(o) the distance from training sample o to its k-th nearest other
// training sample:
//     reach-dist_k(p, o) = max(k-dist(o), d(p, o))
//     lrd(p)  = 1 / (mean_{o ∈ N_k(p)} reach-dist_k(p, o) + 1e-10)
//     LOF(p)  = mean_{o ∈ N_k(p)} lrd(o) / lrd(p)
// score(x) = LOF(x), higher = more anomalous (sklearn's score_samples is −LOF).
// Fit computes k-dist and lrd of every training sample from its k nearest
// *other* training samples (the sample itself is left out by index; among
// exact duplicates, if it is not among the k + 1 found, the farthest one is
// dropped — scikit-learn's rule). The 1e-10 is scikit-learn's guard against
// division by zero when ≥ k duplicates make all reach distances 0; with it,
// duplicate-heavy data gives large but finite lrd values (documented, tested).
// k larger than N − 1 is lowered to N − 1 with a warning, as scikit-learn does.
// Neighbour search: Backend::knn_search (GEMM on oneDNN or cuBLAS, in blocks).
// State: D, k, the training matrix, k-dist and lrd per training sample.
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "k": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 20,
          "description": "number of neighbours (scikit-learn's n_neighbors); lowered to N - 1 with a warning when the training set is smaller"},
    "query_block": {"type": "integer", "minimum": 1, "maximum": 65536,
                    "description": "tuning: samples per distance block (default: 2^24 / training samples); scratch is about query_block x training samples floats"}
  }})json";

constexpr uint32_t kStateVersion = 1;
constexpr double kGuard = 1e-10;  // scikit-learn's lrd guard

class Lof : public vigil::sdk::Detector {
public:
    Lof(const nlohmann::json &p, vigil::sdk::Host host) : host_(host), backend_(vigil::compute::make_backend(host)) {
        const vigil::sdk::Params params(p, "lof", {"k", "query_block"});
        k_param_ = static_cast<int>(params.integer("k", 20, 1, 100000));
        backend_->set_knn_blocks({params.integer("query_block", 0, 1, 65536), 0});
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        const int64_t n = x.samples(), d = x.sample_size();
        require(n >= 2, "lof needs at least 2 training samples, got " + std::to_string(n));
        require(d >= 1, "training samples have no features");
        int k = k_param_;
        if (k > n - 1) {
            host_.warn("lof: k = " + std::to_string(k) + " is not below the " + std::to_string(n) +
                       " training samples; using k = " + std::to_string(n - 1));
            k = static_cast<int>(n - 1);
        }
        std::vector<float> train(data, data + n * d);
        auto res = backend_->upload(train.data(), n, d);
        // k + 1 nearest of each training sample among the training samples, then
        // drop the sample itself (or, if duplicates hid it, the farthest).
        const int kk = k + 1;
        std::vector<float> dist(static_cast<size_t>(n * kk));
        std::vector<int64_t> idx(static_cast<size_t>(n * kk));
        backend_->knn_search(*res, train.data(), n, kk, dist.data(), idx.data());
        std::vector<float> nd(static_cast<size_t>(n * k));
        std::vector<int64_t> ni(static_cast<size_t>(n * k));
        for (int64_t i = 0; i < n; ++i) {
            int skip = kk - 1;
            for (int j = 0; j < kk; ++j)
                if (idx[i * kk + j] == i) { skip = j; break; }
            for (int j = 0, o = 0; j < kk; ++j) {
                if (j == skip) continue;
                nd[i * k + o] = std::sqrt(dist[i * kk + j]);
                ni[i * k + o] = idx[i * kk + j];
                ++o;
            }
        }
        std::vector<double> kdist(static_cast<size_t>(n)), lrd(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) kdist[i] = nd[i * k + k - 1];
        for (int64_t i = 0; i < n; ++i) lrd[i] = local_density(nd.data() + i * k, ni.data() + i * k, k, kdist);
        d_ = d;
        k_ = k;
        train_ = std::move(train);
        resident_ = std::move(res);
        kdist_ = std::move(kdist);
        lrd_ = std::move(lrd);
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(resident_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) +
                                           " features, but the model was fitted on " + std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<float> dist(static_cast<size_t>(m * k_));
        std::vector<int64_t> idx(static_cast<size_t>(m * k_));
        backend_->knn_search(*resident_, data, m, k_, dist.data(), idx.data());
        for (int64_t i = 0; i < m; ++i) {
            float *dr = dist.data() + i * k_;
            for (int j = 0; j < k_; ++j) dr[j] = std::sqrt(dr[j]);
            const int64_t *ir = idx.data() + i * k_;
            const double lrd_x = local_density(dr, ir, k_, kdist_);
            double s = 0;
            for (int j = 0; j < k_; ++j) s += lrd_[ir[j]];
            scores[i] = static_cast<float>(s / k_ / lrd_x);
        }
    }

    void save(vigil::sdk::Writer &w) override {
        require(resident_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod(kStateVersion);
        w.pod<int64_t>(d_);
        w.pod<int32_t>(k_);
        w.vec(train_);
        w.vec(kdist_);
        w.vec(lrd_);
    }

    void load(vigil::sdk::Reader &r) override {
        const auto version = r.pod<uint32_t>();
        if (version != kStateVersion) fail(VIGIL_ERR_IO, "lof: unknown state version " + std::to_string(version));
        const int64_t d = r.pod<int64_t>();
        const int32_t k = r.pod<int32_t>();
        std::vector<float> t = r.vec<float>();
        std::vector<double> kdist = r.vec<double>(), lrd = r.vec<double>();
        r.expect_end();
        const int64_t n = d > 0 ? static_cast<int64_t>(t.size()) / d : 0;
        if (d <= 0 || n < 2 || t.size() != static_cast<size_t>(n * d) || k < 1 || k > n - 1 ||
            kdist.size() != static_cast<size_t>(n) || lrd.size() != static_cast<size_t>(n))
            fail(VIGIL_ERR_IO, "lof state is malformed");
        for (float v : t) if (!std::isfinite(v)) fail(VIGIL_ERR_IO, "lof state holds a non-finite value");
        for (size_t i = 0; i < kdist.size(); ++i)
            if (!std::isfinite(kdist[i]) || !std::isfinite(lrd[i]) || kdist[i] < 0 || !(lrd[i] > 0))
                fail(VIGIL_ERR_IO, "lof state holds an invalid k-distance or density");
        auto res = backend_->upload(t.data(), n, d);
        d_ = d;
        k_ = k;
        train_ = std::move(t);
        resident_ = std::move(res);
        kdist_ = std::move(kdist);
        lrd_ = std::move(lrd);
    }

private:
    // lrd from a sample's neighbour distances and indices (k of each).
    static double local_density(const float *dist, const int64_t *idx, int k, const std::vector<double> &kdist) {
        double s = 0;
        for (int j = 0; j < k; ++j) s += std::max(kdist[idx[j]], double(dist[j]));
        return 1.0 / (s / k + kGuard);
    }

    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    int k_param_ = 20;
    int64_t d_ = 0;
    int k_ = 0;
    std::vector<float> train_;
    std::unique_ptr<vigil::compute::Resident> resident_;
    std::vector<double> kdist_, lrd_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Lof, "lof", "1.0.0",
                     "Local Outlier Factor (novelty mode): neighbours' mean local density over the sample's own; higher = more anomalous",
                     kSchema)
