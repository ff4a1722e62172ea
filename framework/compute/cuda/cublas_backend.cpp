// cublas_backend.cpp — the cuda Backend (backend.hpp): resident matrices in
// device memory (uploaded once, freed in destructors), GEMMs through
// cublasSgemm, k-nearest selection by the kernels in knn_kernels.cu.
// Every CUDA and cuBLAS status is checked and turned into a vigil::sdk::Error
// carrying the library's error text. Plain C++ (no CUDA syntax): kernels are
// reached through the launch wrappers of knn_kernels.cuh.
#include "knn_kernels.cuh"
#include "knn_select.cuh"

#include <vigil/compute/backend.hpp>
#include <vigil/compute/cuda_memory.hpp>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <string>
#include <vector>

namespace vigil::compute {

const vigil_backend kBackend = VIGIL_BACKEND_CUDA;

int32_t probe(char *reason, size_t reason_size) noexcept {
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e == cudaSuccess && count == 0) e = cudaErrorNoDevice;
    if (e != cudaSuccess) {
        if (reason && reason_size)
            std::snprintf(reason, reason_size, "no usable CUDA device: %s", cudaGetErrorString(e));
        return 0;
    }
    if (reason && reason_size) reason[0] = '\0';
    return 200;  // preferred over cpu (100) when a device is usable
}

namespace {

using sdk::fail;

using DeviceBuffer = DeviceArray<float>;

void check(cublasStatus_t s, const char *what) {
    if (s != CUBLAS_STATUS_SUCCESS)
        fail(s == CUBLAS_STATUS_ALLOC_FAILED ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
             std::string("cuBLAS ") + what + ": " + cublasGetStatusString(s));
}
int as_int(int64_t v, const char *what) {
    if (v < 0 || v > INT_MAX) fail(VIGIL_ERR_INVALID_ARGUMENT, std::string(what) + " too large for cuBLAS: " + std::to_string(v));
    return static_cast<int>(v);
}

// Squared L2 norms of rows, in double, rounded to float (as the cpu backend).
std::vector<float> row_norms(const float *x, int64_t rows, int64_t cols) {
    std::vector<float> out(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) {
        double s = 0;
        for (int64_t j = 0; j < cols; ++j) s += double(x[i * cols + j]) * x[i * cols + j];
        out[static_cast<size_t>(i)] = static_cast<float>(s);
    }
    return out;
}

class CudaResident final : public Resident {
public:
    CudaResident(const float *d, int64_t r, int64_t c) : rows_(r), cols_(c) {
        data.upload(d, static_cast<size_t>(r * c));
        const std::vector<float> nh = row_norms(d, r, c);
        norms.upload(nh.data(), nh.size());
    }
    int64_t rows() const override { return rows_; }
    int64_t cols() const override { return cols_; }
    DeviceBuffer data, norms;  // rows x cols row-major; ‖row‖²

private:
    int64_t rows_, cols_;
};

class CublasBackend final : public Backend {
public:
    explicit CublasBackend(const sdk::Host &host) : Backend(host) {
        check(cublasCreate(&handle_), "cublasCreate");
        try {
            // Plain FP32 (no TF32 tensor-op rounding), so cuda and cpu scores agree
            // to float rounding; no atomics, so results are reproducible run to run.
            check(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            check(cublasSetAtomicsMode(handle_, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode");
        } catch (...) {
            cublasDestroy(handle_);
            throw;
        }
    }
    ~CublasBackend() override { cublasDestroy(handle_); }
    CublasBackend(const CublasBackend &) = delete;
    CublasBackend &operator=(const CublasBackend &) = delete;
    const char *name() const override { return "cuda (cuBLAS)"; }

    std::unique_ptr<Resident> upload(const float *data, int64_t rows, int64_t cols) override {
        if (rows < 0 || cols < 1) fail(VIGIL_ERR_INVALID_ARGUMENT, "upload: bad matrix size");
        as_int(rows, "row count");
        as_int(cols, "column count");
        return std::make_unique<CudaResident>(data, rows, cols);
    }

    void matmul_abt(const float *a, int64_t m, const Resident &r, float *out) override {
        const auto &res = static_cast<const CudaResident &>(r);
        const int64_t n = res.rows(), k = res.cols();
        if (m <= 0 || n == 0) return;
        // Blocks of rows keep device scratch at most ~64 MiB for A and for C.
        const int64_t mbmax = std::max<int64_t>(1, std::min<int64_t>(m, (int64_t(1) << 24) / std::max(n, k)));
        for (int64_t r0 = 0; r0 < m; r0 += mbmax) {
            const int64_t mb = std::min(mbmax, m - r0);
            a_.upload(a + r0 * k, static_cast<size_t>(mb * k));
            c_.reserve(static_cast<size_t>(mb * n));
            // Row-major C (mb x n) = A Bᵀ is column-major Cᵀ (n x mb) = B Aᵀ: B's
            // row-major n x k storage is column-major k x n (ld k), used transposed;
            // A's is column-major k x mb (ld k), used as is.
            gemm(CUBLAS_OP_T, CUBLAS_OP_N, n, mb, k, res.data.get(), k, a_.get(), k, c_.get(), n);
            c_.download(out + r0 * n, static_cast<size_t>(mb * n));
        }
    }

    void row_sqnorms(const Resident &r, float *out) override {
        const auto &res = static_cast<const CudaResident &>(r);
        res.norms.download(out, static_cast<size_t>(res.rows()));
    }

    void knn_sqdist(const Resident &r, const float *q, int64_t m, int k, float *out) override {
        const auto &res = static_cast<const CudaResident &>(r);
        const int64_t n = res.rows(), d = res.cols();
        if (k < 1 || k > n)
            fail(VIGIL_ERR_INVALID_ARGUMENT, "knn: k = " + std::to_string(k) + " must be in 1.." + std::to_string(n));
        if (k > kMaxCudaK)
            fail(VIGIL_ERR_INVALID_ARGUMENT, "knn: the cuda backend supports k <= " + std::to_string(kMaxCudaK) +
                                                 ", got " + std::to_string(k) + "; use the cpu variant");
        if (m <= 0) return;
        const int64_t QB = blocks_.query_rows > 0 ? blocks_.query_rows : 2048;
        const int64_t TB = blocks_.train_rows > 0 ? blocks_.train_rows : 8192;
        const std::vector<float> qn = row_norms(q, m, d);
        for (int64_t q0 = 0; q0 < m; q0 += QB) {
            const int64_t mb = std::min(QB, m - q0);
            const int parts = cuda::choose_parts(mb, k);
            a_.upload(q + q0 * d, static_cast<size_t>(mb * d));
            qn_.upload(qn.data() + q0, static_cast<size_t>(mb));
            partial_.reserve(static_cast<size_t>(parts) * k * mb);
            check_cuda(cuda::launch_fill_inf(partial_.get(), int64_t(parts) * k * mb, nullptr), "fill kernel launch");
            for (int64_t t0 = 0; t0 < n; t0 += TB) {
                host_.check_cancelled();
                const int64_t nb = std::min(TB, n - t0);
                c_.reserve(static_cast<size_t>(mb * nb));
                // dots (column-major mb x nb, ld mb) = Q Tᵀ: Q's row-major mb x d is
                // column-major d x mb (ld d), used transposed; the training block's
                // row-major nb x d is column-major d x nb (ld d), used as is.
                gemm(CUBLAS_OP_T, CUBLAS_OP_N, mb, nb, d, a_.get(), d, res.data.get() + t0 * d, d, c_.get(), mb);
                check_cuda(cuda::launch_scan_block(c_.get(), qn_.get(), res.norms.get() + t0, mb, nb, k, parts,
                                              partial_.get(), nullptr),
                           "knn scan kernel launch");
            }
            topk_.reserve(static_cast<size_t>(mb * k));
            check_cuda(cuda::launch_merge_parts(partial_.get(), mb, k, parts, topk_.get(), nullptr), "knn merge kernel launch");
            topk_.download(out + q0 * k, static_cast<size_t>(mb * k));  // synchronises; reports kernel faults
            host_.progress(static_cast<uint64_t>(q0 + mb), static_cast<uint64_t>(m), "knn");
        }
    }

private:
    // Column-major C (rows x cols, ld ldc) = op_a(A) · op_b(B), alpha 1, beta 0.
    void gemm(cublasOperation_t op_a, cublasOperation_t op_b, int64_t rows, int64_t cols, int64_t inner, const float *a,
              int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc) {
        const float one = 1.0f, zero = 0.0f;
        check(cublasSgemm(handle_, op_a, op_b, as_int(rows, "GEMM rows"), as_int(cols, "GEMM columns"),
                          as_int(inner, "GEMM inner size"), &one, a, as_int(lda, "lda"), b, as_int(ldb, "ldb"), &zero, c,
                          as_int(ldc, "ldc")),
              "cublasSgemm");
    }

    cublasHandle_t handle_ = nullptr;
    DeviceBuffer a_, c_, qn_, partial_, topk_;  // scratch, reused across calls
};

} // namespace

std::unique_ptr<Backend> make_backend(const sdk::Host &host) {
    require_device();
    int dev = 0;
    check_cuda(cudaGetDevice(&dev), "cudaGetDevice");
    check_cuda(cudaFree(nullptr), "context initialisation");  // surface a broken driver/context here, not mid-fit
    return std::make_unique<CublasBackend>(host);
}

} // namespace vigil::compute
