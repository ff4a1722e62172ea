// cudnn_common.hpp — what the cuDNN-backed kernels (cudnn_conv.cpp,
// cudnn_batchnorm.cpp, cudnn_pool.cpp) share, so each of them is only about
// its own layer: this thread's cuDNN handle, the status check that turns a
// cuDNN failure into the engine's usual vigil::sdk::Error, owning wrappers
// of the legacy descriptors, a bounded plan cache keyed by shape, scratch
// memory from the cuda backend's block cache, and per-channel constants.
//
// Everything runs on the legacy default stream, as the rest of the cuda
// backend (cuBLAS, kernels.cu) does, so work queued by different libraries
// and threads is ordered without events.
#pragma once

#include "../backend.hpp"

#include <vigil/cpp/plugin.hpp>

#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace vigil::nn::detail::cudnn {

// This thread's handle (created on first use, destroyed at thread exit),
// like the cuBLAS handle in cuda_kernels.cpp. cuDNN handles are not meant to
// be shared between threads; the descriptors in the plan caches are only
// read by cuDNN calls, so threads may share those.
cudnnHandle_t handle();

// Throws vigil::sdk::Error unless s is CUDNN_STATUS_SUCCESS: "cuDNN <kernel>:
// <call> failed: <cudnnGetErrorString>". Unsupported configurations are
// VIGIL_ERR_UNSUPPORTED, allocation failures VIGIL_ERR_OUT_OF_MEMORY,
// everything else VIGIL_ERR_INTERNAL (as for cuBLAS).
void check(cudnnStatus_t s, const char *kernel, const char *call);

// The legacy API takes int dimensions.
int dim(int64_t v, const char *kernel);

// An owned cuDNN descriptor: created in the constructor, destroyed with it.
template <class T, cudnnStatus_t (*Create)(T *), cudnnStatus_t (*Destroy)(T)> class Descriptor {
public:
    explicit Descriptor(const char *kernel) { check(Create(&d_), kernel, "creating a descriptor"); }
    ~Descriptor() {
        if (d_) Destroy(d_);
    }
    Descriptor(const Descriptor &) = delete;
    Descriptor &operator=(const Descriptor &) = delete;
    operator T() const { return d_; }

private:
    T d_ = nullptr;
};
using TensorDesc = Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDesc = Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvDesc =
    Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor>;
using PoolDesc = Descriptor<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor, cudnnDestroyPoolingDescriptor>;

// Dense NCHW float32 (every tensor of the engine is dense row-major).
void set_nchw(cudnnTensorDescriptor_t d, int64_t n, int64_t c, int64_t h, int64_t w, const char *kernel);

using Key = std::vector<int64_t>;

// Plans (descriptors plus choices such as the convolution algorithm) keyed
// by shape and parameters, so a training loop builds each once, as
// dnnl_ops.cpp does for oneDNN primitives. Bounded: when full it starts
// over. Entries are shared_ptr, so a caller keeps using its plan while
// another thread clears the map.
template <class P> class PlanCache {
public:
    template <class Make> std::shared_ptr<const P> get(const Key &k, Make &&make) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = map_.find(k);
            if (it != map_.end()) return it->second;
        }
        // Built outside the lock (cuDNN calls); two threads racing on a new
        // shape both build it and the second insert is a no-op.
        std::shared_ptr<const P> p = make();
        std::lock_guard<std::mutex> lock(mu_);
        if (map_.size() >= kMax) map_.clear();
        return map_.emplace(k, std::move(p)).first->second;
    }

private:
    static constexpr size_t kMax = 512;
    std::mutex mu_;
    std::map<Key, std::shared_ptr<const P>> map_;
};

// Device scratch memory (convolution workspaces, per-call temporaries) from
// the cuda backend's block cache. Handing a block back right after queueing
// the work that uses it is safe: the next user of the block queues its work
// on the same (default) stream, and a block the cache does not keep goes
// through cudaFree, which waits for the device.
class Scratch {
public:
    explicit Scratch(size_t bytes) : bytes_(bytes), p_(bytes ? cuda_kernels().allocate(bytes) : nullptr) {}
    ~Scratch() {
        if (p_) cuda_kernels().deallocate(p_, bytes_);
    }
    Scratch(const Scratch &) = delete;
    Scratch &operator=(const Scratch &) = delete;
    void *get() const { return p_; }
    float *f32() const { return static_cast<float *>(p_); }
    size_t bytes() const { return bytes_; }

private:
    size_t bytes_;
    void *p_;
};

// c ones / c zeros on the device, kept for the life of the process (one
// buffer per channel count): cuDNN's batch norm always takes scale and bias,
// the engine's may have neither.
const float *channel_ones(int64_t c);
const float *channel_zeros(int64_t c);

} // namespace vigil::nn::detail::cudnn
