// score_cuda.cpp — the cuda variant's PathScorer: the forest is copied to the
// device once (make_path_scorer, at fit or load); each block of samples is
// copied over, walk_kernel.cu computes h_t(x) for every (sample, tree), and
// the host adds each sample's h_t in tree order in double — the same
// additions, in the same order, as score_cpu.cpp, so both variants give the
// same bits. Compiled into vigil-iforest-cuda only (CUDA_SOURCES).
// Every CUDA status is checked and reported with the runtime's error text.
#include "scorer.hpp"
#include "walk_kernel.cuh"

#include <vigil/compute/backend.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <string>

namespace vigil::iforest {
namespace {

using sdk::fail;

void check(cudaError_t e, const char *what) {
    if (e != cudaSuccess)
        fail(e == cudaErrorMemoryAllocation ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
             std::string("iforest (cuda) ") + what + ": " + cudaGetErrorString(e));
}

// Owning device allocation of `bytes` bytes (grows, never shrinks).
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    DeviceBuffer(const DeviceBuffer &) = delete;
    DeviceBuffer &operator=(const DeviceBuffer &) = delete;
    ~DeviceBuffer() {
        if (p_) cudaFree(p_);
    }
    void *reserve(size_t bytes) {
        if (bytes > size_) {
            if (p_) cudaFree(p_);
            p_ = nullptr;
            size_ = 0;
            check(cudaMalloc(&p_, bytes), "cudaMalloc");
            size_ = bytes;
        }
        return p_;
    }
    template <class T> T *as() const { return static_cast<T *>(p_); }

private:
    void *p_ = nullptr;
    size_t size_ = 0;
};

// Samples per kernel launch: 8192 samples x 100 trees = 819,200 threads.
constexpr int64_t kCudaBlock = 8192;

class CudaPathScorer final : public PathScorer {
public:
    CudaPathScorer(const Forest &f, const sdk::Host &host) : trees_(f.trees()), d_(f.d), host_(host) {
        const size_t nb = f.nodes.size() * sizeof(Node), ob = f.offsets.size() * sizeof(int64_t);
        nodes_.reserve(nb);
        offsets_.reserve(ob);
        check(cudaMemcpy(nodes_.as<void>(), f.nodes.data(), nb, cudaMemcpyHostToDevice), "copying the trees");
        check(cudaMemcpy(offsets_.as<void>(), f.offsets.data(), ob, cudaMemcpyHostToDevice), "copying the trees");
    }

    void path_sums(const float *x, int64_t m, double *sums) override {
        std::vector<float> h;
        for (int64_t b0 = 0; b0 < m; b0 += kCudaBlock) {
            const int64_t mb = std::min(kCudaBlock, m - b0);
            const size_t xb = static_cast<size_t>(mb * d_) * sizeof(float);
            const size_t hb = static_cast<size_t>(mb * trees_) * sizeof(float);
            x_.reserve(xb);
            out_.reserve(hb);
            check(cudaMemcpy(x_.as<void>(), x + b0 * d_, xb, cudaMemcpyHostToDevice), "copying samples");
            check(cuda::launch_walk(nodes_.as<Node>(), offsets_.as<int64_t>(), trees_, x_.as<float>(), d_, mb,
                                    out_.as<float>(), nullptr),
                  "launching the tree walk");
            h.resize(static_cast<size_t>(mb * trees_));
            check(cudaMemcpy(h.data(), out_.as<void>(), hb, cudaMemcpyDeviceToHost), "tree walk");
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
    DeviceBuffer nodes_, offsets_, x_, out_;
};

} // namespace

std::unique_ptr<PathScorer> make_path_scorer(const Forest &forest, const sdk::Host &host) {
    char why[256];
    if (compute::probe(why, sizeof why) == 0) fail(VIGIL_ERR_NO_DEVICE, why);
    return std::make_unique<CudaPathScorer>(forest, host);
}

} // namespace vigil::iforest
