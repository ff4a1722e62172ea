// score_cuda.cpp — the cuda variant's TailScorer: the tables are copied to
// the device once (make_tail_scorer, at fit or load); each block of samples
// is copied over, tail_kernel.cu computes every (sample, chunk) partial, and
// the host adds each sample's partials in chunk order — ecdf.hpp's order,
// the same additions as score_cpu.cpp, so both variants give the same bits.
// Compiled into vigil-copod-cuda only (CUDA_SOURCES). Every CUDA status is
// checked and reported with the runtime's error text.
#include "scorer.hpp"
#include "tail_kernel.cuh"

#include <vigil/compute/cuda_memory.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <string>

namespace vigil::copod {
namespace {

using sdk::fail;

using compute::check_cuda;
using compute::DeviceArray;

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
            const size_t pb = static_cast<size_t>(mb * chunks * 3);  // partials
            x_.upload(x + b0 * d, static_cast<size_t>(mb * d));
            out_.reserve(pb);
            check_cuda(cuda::launch_chunk_tails(dev_, x_.get(), mb, out_.get(), nullptr), "launching the tail kernel");
            part.resize(pb);
            out_.download(part.data(), pb);
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
    DeviceArray<int64_t> start_;
    DeviceArray<float> values_, x_;
    DeviceArray<int32_t> below_;
    DeviceArray<double> neglog_, out_;
    DeviceArray<uint8_t> left_;
    Tables dev_{};
};

} // namespace

std::unique_ptr<TailScorer> make_tail_scorer(const Model &model, const sdk::Host &host) {
    compute::require_device();
    return std::make_unique<CudaTailScorer>(model, host);
}

} // namespace vigil::copod
