// knn.cpp — the `knn` detector: a test sample is anomalous when it is far from
// its nearest normal training samples.
//
// Score (novelty mode, as scikit-learn's NearestNeighbors.kneighbors on the
// training set): with d_1 ≤ … ≤ d_k the Euclidean distances to the k nearest
// training samples, "kth" scores d_k and "mean" scores (1/k) Σ d_i. Higher =
// more anomalous. Distances come from the backend's blocked GEMM
// (‖q‖² + ‖t‖² − 2 q·t), so memory stays bounded for any training size.
// One source, two libraries: vigil-knn-cpu (oneDNN) and vigil-knn-cuda (cuBLAS).
#include <vigil/compute/backend.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"({
  "type": "object", "additionalProperties": false,
  "properties": {
    "k": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 5,
          "description": "number of nearest training samples"},
    "aggregate": {"enum": ["kth", "mean"], "default": "kth",
                  "description": "kth: distance to the k-th nearest; mean: mean distance to the k nearest"}
  }})";

class Knn : public vigil::sdk::Detector {
public:
    Knn(const nlohmann::json &p, vigil::sdk::Host host)
        : k_(p.value("k", 5)), mean_(p.value("aggregate", std::string("kth")) == "mean"), host_(host),
          backend_(vigil::compute::make_backend(host)) {
        require(k_ >= 1, "k must be >= 1, got " + std::to_string(k_));
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        x.require_finite();
        require(x.samples() >= k_, "k = " + std::to_string(k_) + " needs at least " + std::to_string(k_) +
                                       " training samples, got " + std::to_string(x.samples()));
        require(x.sample_size() > 0, "training samples have no features");
        d_ = x.sample_size();
        train_.assign(x.f32(), x.f32() + x.numel());
        resident_ = backend_->upload(train_.data(), x.samples(), d_);
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(resident_ != nullptr, "score called before fit", VIGIL_ERR_STATE);
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) + " features, but the model was fitted on " +
                                           std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        std::vector<float> nearest(static_cast<size_t>(m * k_));
        backend_->knn_sqdist(*resident_, x.f32(), m, k_, nearest.data());
        for (int64_t i = 0; i < m; ++i) {
            const float *row = nearest.data() + i * k_;
            if (mean_) {
                double s = 0;
                for (int j = 0; j < k_; ++j) s += std::sqrt(double(row[j]));
                scores[i] = static_cast<float>(s / k_);
            } else {
                scores[i] = std::sqrt(row[k_ - 1]);
            }
        }
    }

    void save(vigil::sdk::Writer &w) override {
        require(resident_ != nullptr, "save called before fit", VIGIL_ERR_STATE);
        w.pod<int64_t>(d_);
        w.vec(train_);
    }

    void load(vigil::sdk::Reader &r) override {
        const int64_t d = r.pod<int64_t>();
        std::vector<float> t = r.vec<float>();
        r.expect_end();
        if (d <= 0 || t.empty() || t.size() % static_cast<size_t>(d) != 0)
            fail(VIGIL_ERR_IO, "knn state is malformed (feature count " + std::to_string(d) + ", " + std::to_string(t.size()) +
                                   " values)");
        const int64_t n = static_cast<int64_t>(t.size()) / d;
        if (n < k_) fail(VIGIL_ERR_IO, "knn state holds " + std::to_string(n) + " samples, fewer than k = " + std::to_string(k_));
        d_ = d;
        train_ = std::move(t);
        resident_ = backend_->upload(train_.data(), n, d_);
    }

private:
    int k_;
    bool mean_;
    vigil::sdk::Host host_;
    std::unique_ptr<vigil::compute::Backend> backend_;
    int64_t d_ = 0;
    std::vector<float> train_;
    std::unique_ptr<vigil::compute::Resident> resident_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Knn, "knn", "1.0.0",
                     "distance to the k-th nearest (or mean of the k nearest) training sample; higher = more anomalous",
                     kSchema)
