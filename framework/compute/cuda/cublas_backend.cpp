// cublas_backend.cpp — the cuda Backend: resident matrices in device memory,
// GEMMs through cuBLAS, k-nearest selection by the kernels in knn_kernels.cu.
// Every CUDA and cuBLAS status is checked and turned into a vigil error.
#include "knn_kernels.cuh"

#include <vigil/compute/backend.hpp>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <string>
#include <vector>

namespace vigil::compute {

const vigil_backend kBackend = VIGIL_BACKEND_CUDA;

int32_t probe(char *reason, size_t reason_size) noexcept {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        if (reason && reason_size)
            std::snprintf(reason, reason_size, "no usable CUDA device: %s",
                          e != cudaSuccess ? cudaGetErrorString(e) : "no device found");
        return 0;
    }
    if (reason && reason_size) reason[0] = '\0';
    return 200;  // preferred over cpu (100) when a device is usable
}

namespace {

using sdk::fail;

void check(cudaError_t e, const char *what) {
    if (e != cudaSuccess) fail(e == cudaErrorMemoryAllocation ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
                               std::string(what) + ": " + cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char *what) {
    if (s != CUBLAS_STATUS_SUCCESS) fail(VIGIL_ERR_INTERNAL, std::string(what) + ": cuBLAS status " + std::to_string(int(s)));
}

// Owning device buffer of floats.
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t n) { resize(n); }
    ~DeviceBuffer() { cudaFree(p_); }
    DeviceBuffer(const DeviceBuffer &) = delete;
    DeviceBuffer &operator=(const DeviceBuffer &) = delete;
    void resize(size_t n) {
        if (n <= n_) return;
        cudaFree(p_);
        p_ = nullptr;
        n_ = 0;
        check(cudaMalloc(&p_, n * sizeof(float)), "cudaMalloc");
        n_ = n;
    }
    void upload(const float *h, size_t n) {
        resize(n);
        check(cudaMemcpy(p_, h, n * sizeof(float), cudaMemcpyHostToDevice), "copy to device");
    }
    float *get() const { return p_; }

private:
    float *p_ = nullptr;
    size_t n_ = 0;
};

class CudaResident final : public Resident {
public:
    CudaResident(const float *d, int64_t r, int64_t c) : rows_(r), cols_(c) {
        data.upload(d, static_cast<size_t>(r * c));
        std::vector<float> nh(static_cast<size_t>(r));
        for (int64_t i = 0; i < r; ++i) {
            double s = 0;
            for (int64_t j = 0; j < c; ++j) s += double(d[i * c + j]) * d[i * c + j];
            nh[i] = static_cast<float>(s);
        }
        norms.upload(nh.data(), nh.size());
    }
    int64_t rows() const override { return rows_; }
    int64_t cols() const override { return cols_; }
    DeviceBuffer data, norms;

private:
    int64_t rows_, cols_;
};

class CublasBackend final : public Backend {
public:
    explicit CublasBackend(const sdk::Host &host) : host_(host) {
        check(cublasCreate(&handle_), "cublasCreate");
        // Deterministic results: no atomics-based reductions in cuBLAS.
        check(cublasSetAtomicsMode(handle_, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode");
    }
    ~CublasBackend() override { cublasDestroy(handle_); }
    const char *name() const override { return "cuda (cuBLAS)"; }

    std::unique_ptr<Resident> upload(const float *data, int64_t rows, int64_t cols) override {
        return std::make_unique<CudaResident>(data, rows, cols);
    }

    void matmul_abt(const float *a, int64_t m, const Resident &r, float *out) override {
        const auto &res = static_cast<const CudaResident &>(r);
        const int64_t n = res.rows(), k = res.cols();
        a_.upload(a, static_cast<size_t>(m * k));
        c_.resize(static_cast<size_t>(m * n));
        gemm_abt(a_.get(), m, k, res.data.get(), n, c_.get());
        check(cudaMemcpy(out, c_.get(), static_cast<size_t>(m * n) * sizeof(float), cudaMemcpyDeviceToHost), "copy to host");
    }

    void knn_sqdist(const Resident &r, const float *q, int64_t m, int k, float *out) override {
        const auto &res = static_cast<const CudaResident &>(r);
        const int64_t n = res.rows(), d = res.cols();
        if (k < 1 || k > n) fail(VIGIL_ERR_INVALID_ARGUMENT, "k must be in 1.." + std::to_string(n));
        if (k > cuda::kMaxK)
            fail(VIGIL_ERR_INVALID_ARGUMENT, "the cuda knn supports k <= " + std::to_string(cuda::kMaxK) + "; use the cpu variant");
        constexpr int64_t QB = 4096, TB = 16384;
        std::vector<float> qn(static_cast<size_t>(m));
        for (int64_t i = 0; i < m; ++i) {
            double s = 0;
            for (int64_t j = 0; j < d; ++j) s += double(q[i * d + j]) * q[i * d + j];
            qn[i] = static_cast<float>(s);
        }
        for (int64_t q0 = 0; q0 < m; q0 += QB) {
            host_.check_cancelled();
            const int64_t mb = std::min(QB, m - q0);
            a_.upload(q + q0 * d, static_cast<size_t>(mb * d));
            qn_.upload(qn.data() + q0, static_cast<size_t>(mb));
            topk_.resize(static_cast<size_t>(mb * k));
            check(cuda::launch_topk_init(topk_.get(), mb, k, nullptr), "topk init kernel");
            for (int64_t t0 = 0; t0 < n; t0 += TB) {
                const int64_t nb = std::min(TB, n - t0);
                c_.resize(static_cast<size_t>(mb * nb));
                gemm_abt(a_.get(), mb, d, res.data.get() + t0 * d, nb, c_.get());
                check(cuda::launch_topk_merge(c_.get(), qn_.get(), res.norms.get() + t0, mb, nb, k, topk_.get(), nullptr),
                      "topk merge kernel");
            }
            check(cudaMemcpy(out + q0 * k, topk_.get(), static_cast<size_t>(mb * k) * sizeof(float), cudaMemcpyDeviceToHost),
                  "copy to host");
            host_.progress(static_cast<uint64_t>(q0 + mb), static_cast<uint64_t>(m), "distances");
        }
    }

private:
    // Row-major out (m x n) = A (m x k) · Bᵀ, B (n x k): in cuBLAS's column-major
    // terms outᵀ (n x m) = B · Aᵀ, i.e. op(B_cm)=T on the k x n array, A_cm as is.
    void gemm_abt(const float *a, int64_t m, int64_t k, const float *b, int64_t n, float *out) {
        const float one = 1.0f, zero = 0.0f;
        check(cublasSgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k),
                          &one, b, static_cast<int>(k), a, static_cast<int>(k), &zero, out, static_cast<int>(n)),
              "cublasSgemm");
    }

    sdk::Host host_;
    cublasHandle_t handle_ = nullptr;
    DeviceBuffer a_, c_, qn_, topk_;
};

} // namespace

std::unique_ptr<Backend> make_backend(const sdk::Host &host) {
    char why[256];
    if (probe(why, sizeof why) == 0) fail(VIGIL_ERR_NO_DEVICE, why);
    int dev = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    return std::make_unique<CublasBackend>(host);
}

} // namespace vigil::compute
