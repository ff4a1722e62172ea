// score_cuda.cpp — the cuda variant's PathScorer: the forest is copied to the
// device once (make_path_scorer, at fit or load); each block of samples is
// copied over, walk_kernel.cu computes h_t(x) for every (sample, tree), and
// the host adds each sample's h_t in tree order in double — the same
// additions, in the same order, as score_cpu.cpp, so both variants give the
// same bits. Compiled into vigil-iforest-cuda only (CUDA_SOURCES).
// Every CUDA status is checked and reported with the runtime's error text.
#include "scorer.hpp"
#include "walk_kernel.cuh"

#include <vigil/compute/cuda_memory.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <string>

namespace vigil::iforest {
namespace {

using sdk::fail;

using compute::check_cuda;
using compute::DeviceArray;

// Samples per kernel launch: 8192 samples x 100 trees = 819,200 threads.
constexpr int64_t kCudaBlock = 8192;

class CudaPathScorer final : public PathScorer {
public:
    CudaPathScorer(const Forest &f, const sdk::Host &host) : trees_(f.trees()), d_(f.d), host_(host) {
        nodes_.upload(f.nodes);
        offsets_.upload(f.offsets);
    }

    void path_sums(const float *x, int64_t m, double *sums) override {
        std::vector<float> h;
        for (int64_t b0 = 0; b0 < m; b0 += kCudaBlock) {
            const int64_t mb = std::min(kCudaBlock, m - b0);
            const size_t hn = static_cast<size_t>(mb * trees_);
            x_.upload(x + b0 * d_, static_cast<size_t>(mb * d_));
            out_.reserve(hn);
            check_cuda(cuda::launch_walk(nodes_.get(), offsets_.get(), trees_, x_.get(), d_, mb, out_.get(), nullptr),
                       "launching the tree walk");
            h.resize(hn);
            out_.download(h.data(), hn);
            for (int64_t i = 0; i < mb; ++i) {
                const float *hi = h.data() + i * trees_;
                double s = 0.0;
                for (int64_t t = 0; t < trees_; ++t) s += hi[t];
                sums[b0 + i] = s;
            }
            host_.progress(static_cast<uint64_t>(b0 + mb), static_cast<uint64_t>(m), "iforest");
            host_.check_cancelled();
        }
    }

private:
    int64_t trees_, d_;
    sdk::Host host_;
    DeviceArray<Node> nodes_;
    DeviceArray<int64_t> offsets_;
    DeviceArray<float> x_, out_;
};

} // namespace

std::unique_ptr<PathScorer> make_path_scorer(const Forest &forest, const sdk::Host &host) {
    compute::require_device();
    return std::make_unique<CudaPathScorer>(forest, host);
}

} // namespace vigil::iforest
