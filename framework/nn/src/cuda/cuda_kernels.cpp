// cuda_kernels.cpp — the cuda Kernels (backend.hpp) and what makes
// vigil_nn_cuda the cuda variant (kBackend, probe, variant_device()).
//
// Memory: cudaMalloc behind a small per-size cache of freed blocks (training
// loops allocate the same sizes every step; cudaMalloc/cudaFree would
// synchronise the device each time). GEMM: cuBLAS in plain FP32 (no TF32),
// atomics off. Convolution, batch norm and pooling: cuDNN 9 (cudnn_ops.hpp).
// Elementwise, reductions, softmax, gathers and optimiser steps:
// kernels.cu. Everything runs on the default stream; copies to the host
// synchronise.
//
// Not implemented: float64 (VIGIL_ERR_UNSUPPORTED; docs/NN_ENGINE.md).
#include "cudnn_ops.hpp"
#include "kernels.cuh"

#include "../backend.hpp"
#include "../cpu/reference.hpp"

#include <vigil/nn/nn.hpp>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::nn {

const vigil_backend kBackend = VIGIL_BACKEND_CUDA;

int32_t probe(char *reason, size_t reason_size) noexcept {
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e == cudaSuccess && count == 0) e = cudaErrorNoDevice;
    if (e != cudaSuccess) {
        if (reason && reason_size) std::snprintf(reason, reason_size, "no usable CUDA device: %s", cudaGetErrorString(e));
        return 0;
    }
    if (reason && reason_size) reason[0] = '\0';
    return 200;  // preferred over cpu (100) when a device is usable
}

Device variant_device() { return Device::cuda; }
bool cuda_available() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

namespace detail {

namespace {

using sdk::fail;

void check(cudaError_t e, const char *what) {
    if (e != cudaSuccess)
        fail(e == cudaErrorMemoryAllocation ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
             std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char *what) {
    if (s != CUBLAS_STATUS_SUCCESS)
        fail(s == CUBLAS_STATUS_ALLOC_FAILED ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
             std::string("cuBLAS ") + what + ": " + cublasGetStatusString(s));
}
[[noreturn]] void unsupported(const char *kernel) {
    fail(VIGIL_ERR_UNSUPPORTED, std::string(kernel) + ": not implemented on cuda (see docs/NN_ENGINE.md)");
}
int as_int(int64_t v, const char *what) {
    if (v < 0 || v > INT32_MAX) fail(VIGIL_ERR_INVALID_ARGUMENT, std::string(what) + " too large for cuBLAS");
    return static_cast<int>(v);
}
float *f(const Tensor &t) {
    if (t.dtype() != DType::f32) fail(VIGIL_ERR_UNSUPPORTED, "cuda kernels take float32, got " + t.describe());
    return static_cast<float *>(t.raw());
}
const int32_t *i32(const Tensor &t) { return static_cast<const int32_t *>(t.raw()); }
float *fopt(const Tensor *t) { return t ? f(*t) : nullptr; }

cublasHandle_t cublas() {
    struct Handle {
        cublasHandle_t h = nullptr;
        Handle() {
            check(cublasCreate(&h), "cublasCreate");
            // Plain FP32 (no TF32 rounding) so cuda agrees with cpu to float
            // rounding; no atomics, so results repeat run to run.
            check(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            check(cublasSetAtomicsMode(h, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode");
        }
        ~Handle() {
            if (h) cublasDestroy(h);
        }
    };
    thread_local Handle handle;
    return handle.h;
}

class CudaKernels final : public Kernels {
public:
    CudaKernels() {
        int count = 0;
        cudaError_t e = cudaGetDeviceCount(&count);
        if (e == cudaSuccess && count == 0) e = cudaErrorNoDevice;
        if (e != cudaSuccess) fail(VIGIL_ERR_NO_DEVICE, std::string("no usable CUDA device: ") + cudaGetErrorString(e));
    }
    Device device() const override { return Device::cuda; }
    bool supports(DType t) const override { return t != DType::f64; }

    void *allocate(size_t bytes) override {
        const size_t n = (std::max<size_t>(bytes, 1) + 255) / 256 * 256;
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = free_.find(n);
            if (it != free_.end() && !it->second.empty()) {
                void *p = it->second.back();
                it->second.pop_back();
                cached_ -= n;
                return p;
            }
        }
        void *p = nullptr;
        cudaError_t e = cudaMalloc(&p, n);
        if (e == cudaErrorMemoryAllocation) {  // give the cache back and retry once
            cudaGetLastError();
            release_cache();
            e = cudaMalloc(&p, n);
        }
        check(e, "cudaMalloc");
        return p;
    }
    void deallocate(void *p, size_t bytes) noexcept override {
        if (!p) return;
        const size_t n = (std::max<size_t>(bytes, 1) + 255) / 256 * 256;
        std::lock_guard<std::mutex> lock(mu_);
        if (cached_ + n > kMaxCached) {
            cudaFree(p);
            return;
        }
        free_[n].push_back(p);
        cached_ += n;
    }
    void to_host(void *dst, const void *src, size_t bytes) override {
        check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy to host");
    }
    void from_host(void *dst, const void *src, size_t bytes) override {
        check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy to device");
    }
    void copy(void *dst, const void *src, size_t bytes) override {
        check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice), "copy on device");
    }

    void fill(Tensor &y, double v) override {
        if (y.dtype() == DType::i32)
            cudak::fill_i32(static_cast<int32_t *>(y.raw()), y.numel(), static_cast<int32_t>(v));
        else
            cudak::fill_f32(f(y), y.numel(), static_cast<float>(v));
    }
    void cast(const Tensor &x, Tensor &y) override {
        if (x.dtype() == y.dtype()) return copy(y.raw(), x.raw(), static_cast<size_t>(x.numel()) * dtype_size(x.dtype()));
        if (x.dtype() == DType::f32 && y.dtype() == DType::i32)
            return cudak::cast_f32_i32(f(x), static_cast<int32_t *>(y.raw()), x.numel());
        if (x.dtype() == DType::i32 && y.dtype() == DType::f32) return cudak::cast_i32_f32(i32(x), f(y), x.numel());
        unsupported("cast to or from float64");
    }
    void unary(Unary op, const Tensor &x, Tensor &y, double a, double b) override {
        cudak::unary(static_cast<int>(op), f(x), f(y), x.numel(), a, b);
    }
    void unary_backward(Unary op, const Tensor &x, const Tensor &y, const Tensor &gy, Tensor &gx, double a,
                        double b) override {
        cudak::unary_backward(static_cast<int>(op), f(x), f(y), f(gy), f(gx), x.numel(), a, b);
    }
    void binary(Binary op, const Tensor &a, const Tensor &b, Tensor &y) override {
        const ref::BroadcastPlan p = ref::plan_broadcast(a.shape(), b.shape(), y.shape());
        cudak::Broadcast bc{};
        bc.rank = p.rank;
        for (int i = 0; i < p.rank; ++i) {
            bc.dims[i] = p.dims[i];
            bc.sa[i] = p.sa[i];
            bc.sb[i] = p.sb[i];
        }
        if (y.numel()) cudak::binary(static_cast<int>(op), f(a), f(b), f(y), bc);
    }
    void axpby(double alpha, const Tensor &x, double beta, Tensor &y) override {
        cudak::axpby(static_cast<float>(alpha), f(x), static_cast<float>(beta), f(y), y.numel());
    }
    void maximum_backward(const Tensor &a, const Tensor &b, const Tensor &gy, Tensor *ga, Tensor *gb) override {
        cudak::maximum_backward(f(a), f(b), f(gy), fopt(ga), fopt(gb), gy.numel());
    }
    void reduce_sum(const Tensor &x, Tensor &y, int64_t outer, int64_t n, int64_t inner) override {
        cudak::reduce_sum(f(x), f(y), outer, n, inner);
    }
    void reduce_max(const Tensor &x, Tensor &y, Tensor &idx, int64_t outer, int64_t n, int64_t inner) override {
        cudak::reduce_max(f(x), f(y), static_cast<int32_t *>(idx.raw()), outer, n, inner);
    }
    void reduce_max_backward(const Tensor &gy, const Tensor &idx, Tensor &gx, int64_t outer, int64_t n,
                             int64_t inner) override {
        cudak::reduce_max_backward(f(gy), i32(idx), f(gx), outer, n, inner);
    }

    // Row-major C (m×n) = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ:
    // call cuBLAS with the operands swapped.
    void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const Tensor &a, const Tensor &b,
              double beta, Tensor &c) override {
        if (m == 0 || n == 0) return;
        const float al = static_cast<float>(alpha), be = static_cast<float>(beta);
        const int M = as_int(m, "gemm m"), N = as_int(n, "gemm n"), K = as_int(k, "gemm k");
        check(cublasSgemm(cublas(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &al, f(b),
                          tb ? K : N, f(a), ta ? M : K, &be, f(c), N),
              "sgemm");
    }

    void conv2d_forward(const Tensor &x, const Tensor &w, const Tensor *bias, Tensor &y, const ConvGeom &g) override {
        cudnn_ops::conv_forward(f(x), f(w), fopt(bias), f(y), g);
    }
    void conv2d_backward_data(const Tensor &gy, const Tensor &w, Tensor &gx, const ConvGeom &g) override {
        cudnn_ops::conv_backward_data(f(gy), f(w), f(gx), g);
    }
    void conv2d_backward_weights(const Tensor &x, const Tensor &gy, Tensor &gw, Tensor *gb, const ConvGeom &g) override {
        cudnn_ops::conv_backward_weights(f(x), f(gy), f(gw), fopt(gb), g);
    }

    void batchnorm_forward_train(const Tensor &x, const Tensor *gamma, const Tensor *beta, Tensor &y, Tensor &mean,
                                 Tensor &var, double eps) override {
        int64_t n, c, s;
        bn_dims(x, n, c, s);
        cudnn_ops::bn_forward_train(f(x), fopt(gamma), fopt(beta), f(y), f(mean), f(var), n, c, s, eps);
    }
    void batchnorm_forward_eval(const Tensor &x, const Tensor *gamma, const Tensor *beta, const Tensor &mean,
                                const Tensor &var, Tensor &y, double eps) override {
        int64_t n, c, s;
        bn_dims(x, n, c, s);
        cudnn_ops::bn_forward_eval(f(x), fopt(gamma), fopt(beta), f(mean), f(var), f(y), n, c, s, eps);
    }
    void batchnorm_backward(const Tensor &x, const Tensor &gy, const Tensor *gamma, const Tensor &mean,
                            const Tensor &var, Tensor &gx, Tensor *ggamma, Tensor *gbeta, double eps,
                            bool global_stats) override {
        int64_t n, c, s;
        bn_dims(x, n, c, s);
        cudnn_ops::bn_backward(f(x), f(gy), fopt(gamma), f(mean), f(var), f(gx), fopt(ggamma), fopt(gbeta), n, c, s,
                               eps, global_stats);
    }
    std::shared_ptr<void> pool2d_forward(PoolKind k, const Tensor &x, Tensor &y, const PoolGeom &g) override {
        return cudnn_ops::pool_forward(k, x, y, g);
    }
    void pool2d_backward(PoolKind k, const Tensor &gy, const std::shared_ptr<void> &workspace, Tensor &gx,
                         const PoolGeom &g) override {
        cudnn_ops::pool_backward(k, gy, workspace, gx, g);
    }

    void softmax(const Tensor &x, Tensor &y, int64_t outer, int64_t n, int64_t inner, bool log) override {
        cudak::softmax(f(x), f(y), outer, n, inner, log);
    }
    void softmax_backward(const Tensor &y, const Tensor &gy, Tensor &gx, int64_t outer, int64_t n, int64_t inner,
                          bool log) override {
        cudak::softmax_backward(f(y), f(gy), f(gx), outer, n, inner, log);
    }
    void nll_forward(const Tensor &lsm, const Tensor &labels, Tensor &loss) override {
        Tensor bad = Tensor::zeros({1}, DType::i32, Device::cuda);
        cudak::nll_forward(f(lsm), i32(labels), f(loss), lsm.size(0), lsm.size(1), static_cast<int32_t *>(bad.raw()));
        if (bad.to_vector<int32_t>()[0])
            fail(VIGIL_ERR_INVALID_ARGUMENT, "cross_entropy: a label is outside 0.." + std::to_string(lsm.size(1) - 1));
    }
    void cross_entropy_backward(const Tensor &lsm, const Tensor &labels, double scale, Tensor &g) override {
        cudak::cross_entropy_backward(f(lsm), i32(labels), static_cast<float>(scale), f(g), lsm.size(0), lsm.size(1));
    }
    void gather_planes(const Tensor &x, Tensor &y, int64_t planes, const PlaneMap &m) override {
        cudak::gather_planes(f(x), f(y), planes, m.in_plane, m.out_plane, i32(m.map));
    }
    void gather_planes_backward(const Tensor &gy, Tensor &gx, int64_t planes, const PlaneMap &m) override {
        cudak::gather_planes_backward(f(gy), f(gx), planes, m.in_plane, m.out_plane, i32(m.inv_off), i32(m.inv_idx));
    }
    void copy_blocks(const Tensor &src, Tensor &dst, int64_t outer, int64_t len, int64_t src_stride, int64_t src_off,
                     int64_t dst_stride, int64_t dst_off) override {
        const size_t es = dtype_size(src.dtype());
        check(cudaMemcpy2D(static_cast<char *>(dst.raw()) + dst_off * es, static_cast<size_t>(dst_stride) * es,
                           static_cast<const char *>(src.raw()) + src_off * es, static_cast<size_t>(src_stride) * es,
                           static_cast<size_t>(len) * es, static_cast<size_t>(outer), cudaMemcpyDeviceToDevice),
              "block copy");
    }
    void transpose2d(const Tensor &x, Tensor &y, int64_t rows, int64_t cols) override {
        // Column-major view: x is cols×rows (ld cols); y = xᵀ is rows×cols (ld rows).
        const float one = 1.f, zero = 0.f;
        const int R = as_int(rows, "transpose rows"), C = as_int(cols, "transpose cols");
        check(cublasSgeam(cublas(), CUBLAS_OP_T, CUBLAS_OP_N, R, C, &one, f(x), C, &zero, f(y), R, f(y), R), "geam");
    }
    void dropout_mask(Tensor &y, double keep, uint64_t seed) override { cudak::dropout_mask(f(y), y.numel(), keep, seed); }
    void adam_step(Tensor &p, const Tensor &g, Tensor &m, Tensor &v, double lr, double beta1, double beta2, double eps,
                   double wd, bool decoupled, int64_t step) override {
        const double bc1 = 1.0 - std::pow(beta1, double(step)), bc2 = 1.0 - std::pow(beta2, double(step));
        cudak::adam_step(f(p), f(g), f(m), f(v), p.numel(), static_cast<float>(lr / bc1), static_cast<float>(beta1),
                         static_cast<float>(beta2), static_cast<float>(eps), static_cast<float>(std::sqrt(bc2)),
                         static_cast<float>(wd), decoupled, static_cast<float>(1.0 - lr * wd));
    }
    void sgd_step(Tensor &p, const Tensor &g, Tensor *buf, double lr, double momentum, double dampening, double wd,
                  bool nesterov, bool first) override {
        cudak::sgd_step(f(p), f(g), fopt(buf), p.numel(), static_cast<float>(lr), static_cast<float>(momentum),
                        static_cast<float>(dampening), static_cast<float>(wd), nesterov, first);
    }

    void release_cache() {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto &kv : free_)
            for (void *p : kv.second) cudaFree(p);
        free_.clear();
        cached_ = 0;
    }

private:
    static constexpr size_t kMaxCached = size_t(1) << 31;  // 2 GiB of freed blocks kept for reuse
    std::mutex mu_;
    std::map<size_t, std::vector<void *>> free_;
    size_t cached_ = 0;
};

} // namespace

// Never destroyed (see the_cpu_kernels in cpu_kernels.cpp). Constructed on
// first use; a missing device throws NO_DEVICE each time it is asked for.
static std::mutex g_cuda_mu;
static CudaKernels *g_cuda = nullptr;

Kernels &cuda_kernels() {
    std::lock_guard<std::mutex> lock(g_cuda_mu);
    if (!g_cuda) g_cuda = new CudaKernels;
    return *g_cuda;
}
void release_cuda_cache() {
    CudaKernels *k;
    {
        std::lock_guard<std::mutex> lock(g_cuda_mu);
        k = g_cuda;
    }
    if (k) k->release_cache();
}

} // namespace detail
} // namespace vigil::nn
