// knn.cpp — the `knn` detector: a test sample is anomalous when it is far from
// its nearest normal training samples.
//
// Score (novelty mode, as scikit-learn's NearestNeighbors(n_neighbors=k)
// .kneighbors(X) on a model fitted to the training set): with
// d_1 ≤ … ≤ d_k the Euclidean distances d_i = ‖x − t_(i)‖₂ from x to its k
// nearest training samples,
//     aggregate "kth":  score(x) = d_k
//     aggregate "mean": score(x) = (1/k) Σ_{i=1..k} d_i
// Higher = more anomalous. Squared distances come from the backend's blocked
// GEMM, ‖x − t‖² = ‖x‖² + ‖t‖² − 2 x·t (Backend::knn_sqdist), so memory stays
// bounded for any training size; d_i is the square root of that.
//
// State: the feature count D and the training matrix (N x D float32); k and
// the aggregate are parameters, so one fitted state serves any k <= N.
// One source, two libraries: vigil-knn-cpu (oneDNN) and vigil-knn-cuda (cuBLAS).
#include <vigil/compute/backend.hpp>
#include <vigil/cpp/params.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using vigil::sdk::fail;
using vigil::sdk::require;

const char *kSchema = R"json({
  "type": "object", "additionalProperties": false,
  "properties": {
    "k": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 5,
          "description": "number of nearest training samples (at most the number of training samples; the cuda variant allows up to 1024)"},
    "aggregate": {"enum": ["kth", "mean"], "default": "kth",
                  "description": "kth: Euclidean distance to the k-th nearest training sample (as scikit-learn's kneighbors); mean: mean distance to the k nearest"},
    "query_block": {"type": "integer", "minimum": 1, "maximum": 65536,
                    "description": "tuning: scored samples per distance block (default: cpu 1024, cuda 2048)"},
    "train_block": {"type": "integer", "minimum": 1, "maximum": 1048576,
                    "description": "tuning: training samples per distance block (default: cpu 4096, cuda 8192); scratch memory is about query_block * train_block floats"}
  }})json";

class Knn : public vigil::sdk::Detector {
public:
    Knn(const nlohmann::json &p, vigil::sdk::Host host) : backend_(vigil::compute::make_backend(host)) {
        const vigil::sdk::Params params(p, "knn", {"k", "aggregate", "query_block", "train_block"});
        k_ = static_cast<int>(params.integer("k", 5, 1, 100000));
        mean_ = params.choice("aggregate", "kth", {"kth", "mean"}) == "mean";
        if (vigil::compute::kBackend == VIGIL_BACKEND_CUDA)
            require(k_ <= vigil::compute::kMaxCudaK, "k = " + std::to_string(k_) + " exceeds the cuda variant's limit of " +
                                                         std::to_string(vigil::compute::kMaxCudaK) + "; use the cpu variant");
        backend_->set_knn_blocks({params.integer("query_block", 0, 1, 65536), params.integer("train_block", 0, 1, 1048576)});
    }

    void fit(const vigil::sdk::TensorRef &x, const vigil::sdk::TensorRef *) override {
        const float *data = x.f32();
        x.require_finite();
        require(x.sample_size() > 0, "training samples have no features");
        require(x.samples() >= k_, "k = " + std::to_string(k_) + " is larger than the number of training samples (" +
                                       std::to_string(x.samples()) + "); use k <= " + std::to_string(x.samples()));
        std::vector<float> train(data, data + x.numel());  // a copy: the caller's buffer is only borrowed
        set_state(x.sample_size(), std::move(train));
    }

    void score(const vigil::sdk::TensorRef &x, float *scores) override {
        require(resident_ != nullptr, "score called before fit (or load)", VIGIL_ERR_STATE);
        const float *data = x.f32();
        require(x.sample_size() == d_, "samples have " + std::to_string(x.sample_size()) +
                                           " features, but the model was fitted on " + std::to_string(d_));
        x.require_finite();
        const int64_t m = x.samples();
        if (m == 0) return;
        std::vector<float> nearest(static_cast<size_t>(m) * k_);  // squared distances, ascending per row
        backend_->knn_sqdist(*resident_, data, m, k_, nearest.data());
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
        if (d <= 0 || t.empty() || t.size() % static_cast<uint64_t>(d) != 0)
            fail(VIGIL_ERR_IO, "knn state is malformed (feature count " + std::to_string(d) + ", " +
                                   std::to_string(t.size()) + " values)");
        const int64_t n = static_cast<int64_t>(t.size()) / d;
        if (n < k_)
            fail(VIGIL_ERR_IO, "knn state holds " + std::to_string(n) + " training samples, fewer than k = " +
                                   std::to_string(k_));
        for (float v : t)
            if (!std::isfinite(v)) fail(VIGIL_ERR_IO, "knn state holds a non-finite value");
        set_state(d, std::move(t));
    }

private:
    void set_state(int64_t d, std::vector<float> train) {
        auto res = backend_->upload(train.data(), static_cast<int64_t>(train.size()) / d, d);
        d_ = d;  // only once the upload succeeded: a failed fit leaves the previous model intact
        train_ = std::move(train);
        resident_ = std::move(res);
    }

    int k_ = 5;
    bool mean_ = false;
    std::unique_ptr<vigil::compute::Backend> backend_;
    int64_t d_ = 0;
    std::vector<float> train_;  // N x D, row-major; what save() writes
    std::unique_ptr<vigil::compute::Resident> resident_;
};

} // namespace

VIGIL_VARIANT_PLUGIN(Knn, "knn", "1.1.0",
                     "distance to the k-th nearest (or mean of the k nearest) training sample; higher = more anomalous",
                     kSchema)
