// cuda_memory.hpp — checked CUDA runtime calls and an owning device array,
// written once for all code compiled into cuda variants: the compute
// backend (cuda/cublas_backend.cpp) and plugins' own CUDA_SOURCES (iforest
// and copod scorers). Needs cuda_runtime.h, so include it only from files
// built into a cuda variant (vigil_compute_cuda carries the include path).
#pragma once

#include <vigil/compute/backend.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vigil::compute {

// Throws vigil::sdk::Error unless e is cudaSuccess: VIGIL_ERR_OUT_OF_MEMORY
// for a failed allocation, else VIGIL_ERR_INTERNAL, with the runtime's text.
// The host adds the plugin and operation ("iforest (cuda) score: ...").
inline void check_cuda(cudaError_t e, const char *what) {
    if (e != cudaSuccess)
        sdk::fail(e == cudaErrorMemoryAllocation ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
                  std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}

// Owning device array of trivially copyable T; grows, never shrinks, and a
// reserve() does not keep the old contents (scratch and upload buffers).
template <class T> class DeviceArray {
public:
    DeviceArray() = default;
    ~DeviceArray() { cudaFree(p_); }  // a failure here cannot be reported; cudaFree(nullptr) is a no-op
    DeviceArray(const DeviceArray &) = delete;
    DeviceArray &operator=(const DeviceArray &) = delete;

    // Room for at least n elements.
    T *reserve(size_t n) {
        if (n > n_) {
            cudaFree(p_);
            p_ = nullptr;
            n_ = 0;
            check_cuda(cudaMalloc(reinterpret_cast<void **>(&p_), std::max<size_t>(n, 1) * sizeof(T)), "cudaMalloc");
            n_ = n;
        }
        return p_;
    }
    // reserve(n), then copy n elements from the host.
    T *upload(const T *h, size_t n) {
        reserve(n);
        if (n) check_cuda(cudaMemcpy(p_, h, n * sizeof(T), cudaMemcpyHostToDevice), "copy to device");
        return p_;
    }
    T *upload(const std::vector<T> &v) { return upload(v.data(), v.size()); }
    // Copy the first n elements to the host (synchronises: reports earlier kernel faults).
    void download(T *h, size_t n) const {
        if (n) check_cuda(cudaMemcpy(h, p_, n * sizeof(T), cudaMemcpyDeviceToHost), "copy to host");
    }
    T *get() const { return p_; }

private:
    T *p_ = nullptr;
    size_t n_ = 0;
};

} // namespace vigil::compute
