// cudnn_common.cpp — the cuDNN handle, status checks and per-channel
// constants shared by the cuDNN-backed kernels (cudnn_common.hpp).
#include "cudnn_common.hpp"

#include "kernels.cuh"

#include <cstdint>
#include <string>

namespace vigil::nn::detail::cudnn {

void check(cudnnStatus_t s, const char *kernel, const char *call) {
    if (s == CUDNN_STATUS_SUCCESS) return;
    // cuDNN 9 status codes are "category + detail"; the category decides
    // which vigil error it is.
    vigil_status code = VIGIL_ERR_INTERNAL;
    if (CUDNN_STATUS_CATEGORY(s) == CUDNN_STATUS_NOT_SUPPORTED)
        code = VIGIL_ERR_UNSUPPORTED;
    else if (s == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED ||
             s == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
        code = VIGIL_ERR_OUT_OF_MEMORY;
    sdk::fail(code, std::string("cuDNN ") + kernel + ": " + call + " failed: " + cudnnGetErrorString(s));
}

int dim(int64_t v, const char *kernel) {
    if (v < 0 || v > INT32_MAX)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, std::string("cuDNN ") + kernel + ": dimension " + std::to_string(v) +
                                                  " does not fit cuDNN's int dimensions");
    return static_cast<int>(v);
}

cudnnHandle_t handle() {
    struct Handle {
        cudnnHandle_t h = nullptr;
        // No cudnnSetStream: a new handle works on the default stream, where
        // the cuBLAS handle and the kernels of kernels.cu also run.
        Handle() { check(cudnnCreate(&h), "handle", "cudnnCreate"); }
        ~Handle() {
            if (h) cudnnDestroy(h);
        }
    };
    thread_local Handle handle;
    return handle.h;
}

void set_nchw(cudnnTensorDescriptor_t d, int64_t n, int64_t c, int64_t h, int64_t w, const char *kernel) {
    check(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, dim(n, kernel), dim(c, kernel),
                                     dim(h, kernel), dim(w, kernel)),
          kernel, "cudnnSetTensor4dDescriptor");
}

namespace {
// Never destroyed (like the cuda Kernels object): the buffers stay valid
// for work still queued at exit, and nothing runs after the runtime is gone.
const float *channel_constant(int64_t c, float value) {
    static std::mutex mu;
    static auto *buffers = new std::map<std::pair<int64_t, float>, float *>;
    std::lock_guard<std::mutex> lock(mu);
    float *&p = (*buffers)[{c, value}];
    if (!p) {
        auto *q = static_cast<float *>(cuda_kernels().allocate(static_cast<size_t>(c > 0 ? c : 1) * sizeof(float)));
        cudak::fill_f32(q, c, value);
        p = q;
    }
    return p;
}
} // namespace

const float *channel_ones(int64_t c) { return channel_constant(c, 1.0f); }
const float *channel_zeros(int64_t c) { return channel_constant(c, 0.0f); }

} // namespace vigil::nn::detail::cudnn
