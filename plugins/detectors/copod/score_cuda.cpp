// score_cuda.cpp — the cuda variant's TailScorer: the tables are copied to
// the device once (make_tail_scorer, at fit or load); each block of samples
// is copied over, tail_kernel.cu computes every (sample, chunk) partial, and
// the host adds each sample's partials in chunk order — ecdf.hpp's order,
// the same additions as score_cpu.cpp, so both variants give the same bits.
// Compiled into vigil-copod-cuda only (CUDA_SOURCES). Every CUDA status is
// checked and reported with the runtime's error text.
#include "scorer.hpp"
#include "tail_kernel.cuh"

#include <vigil/compute/backend.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <string>

namespace vigil::copod {
namespace {

using sdk::fail;

void check(cudaError_t e, const char *what) {
    if (e != cudaSuccess)
        fail(e == cudaErrorMemoryAllocation ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
             std::string("copod (cuda) ") + what + ": " + cudaGetErrorString(e));
}

// Owning device allocation (grows, never shrinks).
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
    // Copy a host vector into a fresh allocation.
    template <class T> const T *upload(const std::vector<T> &v) {
        const size_t bytes = std::max<size_t>(1, v.size() * sizeof(T));
        reserve(bytes);
        if (!v.empty()) check(cudaMemcpy(p_, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "copying the tables");
        return static_cast<const T *>(p_);
    }
    template <class T> T *as() const { return static_cast<T *>(p_); }

private:
    void *p_ = nullptr;
    size_t size_ = 0;
};

constexpr int64_t kCudaBlock = 8192;  // samples per launch: 8192 x 13 chunks for 784 features

class CudaTailScorer final : public TailScorer {
public:
    CudaTailScorer(const Model &m, const sdk::Host &host) : host_(host) {
        dev_.d = m.d;
        dev_.start = start_.upload(m.start);
        dev_.values = values_.upload(m.values);
        dev_.below = below_.upload(m.below);
        dev_.neglog = neglog_.upload(m.neglog);
        dev_.left_tail = left_.upload(m.left_tail);
    }

    void tail_sums(const float *x, int64_t m, double *out) override {
        const int64_t d = dev_.d, chunks = chunk_count(d);
        std::vector<double> part;
        for (int64_t b0 = 0; b0 < m; b0 += kCudaBlock) {
            const int64_t mb = std::min(kCudaBlock, m - b0);
            const size_t xb = static_cast<size_t>(mb * d) * sizeof(float);
            const size_t pb = static_cast<size_t>(mb * chunks * 3) * sizeof(double);
            x_.reserve(xb);
            out_.reserve(pb);
            check(cudaMemcpy(x_.as<void>(), x + b0 * d, xb, cudaMemcpyHostToDevice), "copying samples");
            check(cuda::launch_chunk_tails(dev_, x_.as<float>(), mb, out_.as<double>(), nullptr),
                  "launching the tail kernel");
            part.resize(static_cast<size_t>(mb * chunks * 3));
            check(cudaMemcpy(part.data(), out_.as<void>(), pb, cudaMemcpyDeviceToHost), "tail kernel");
            for (int64_t i = 0; i < mb; ++i) {
                double tot[3] = {0.0, 0.0, 0.0};
                for (int64_t c = 0; c < chunks; ++c)
                    for (int k = 0; k < 3; ++k) tot[k] += part[static_cast<size_t>((i * chunks + c) * 3 + k)];
                for (int k = 0; k < 3; ++k) out[(b0 + i) * 3 + k] = tot[k];
            }
            host_.progress(static_cast<uint64_t>(b0 + mb), static_cast<uint64_t>(m), "copod");
            host_.check_cancelled();
        }
    }

private:
    sdk::Host host_;
    DeviceBuffer start_, values_, below_, neglog_, left_, x_, out_;
    Tables dev_{};
};

} // namespace

std::unique_ptr<TailScorer> make_tail_scorer(const Model &model, const sdk::Host &host) {
    char why[256];
    if (compute::probe(why, sizeof why) == 0) fail(VIGIL_ERR_NO_DEVICE, why);
    return std::make_unique<CudaTailScorer>(model, host);
}

} // namespace vigil::copod
