// onednn_backend.cpp — the cpu Backend (backend.hpp): GEMMs through oneDNN's
// matmul primitive (one engine and stream per Backend, primitives cached by
// shape), everything else in OpenMP loops over rows with a static schedule,
// so the per-row work, and with it the result, does not depend on how rows
// are spread over threads. oneDNN here runs on the OpenMP runtime, so
// omp_set_num_threads(Host::threads()) bounds both.
#include <vigil/compute/backend.hpp>
#include <vigil/compute/topk.hpp>

#include <dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace vigil::compute {

const vigil_backend kBackend = VIGIL_BACKEND_CPU;

int32_t probe(char *reason, size_t reason_size) noexcept {
    if (reason && reason_size) reason[0] = '\0';
    return 100;  // the host CPU can always run oneDNN
}

namespace {

using sdk::fail;

// Squared L2 norm of each row, accumulated in double, rounded to float.
void row_norms(const float *x, int64_t rows, int64_t cols, float *out, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < rows; ++i) {
        const float *p = x + i * cols;
        double s = 0;
        for (int64_t j = 0; j < cols; ++j) s += double(p[j]) * p[j];
        out[i] = static_cast<float>(s);
    }
}

class CpuResident final : public Resident {
public:
    CpuResident(const float *d, int64_t r, int64_t c, int threads)
        : data(d, d + r * c), norms(static_cast<size_t>(r)), rows_(r), cols_(c) {
        row_norms(d, r, c, norms.data(), threads);
    }
    int64_t rows() const override { return rows_; }
    int64_t cols() const override { return cols_; }
    std::vector<float> data;   // row-major rows x cols
    std::vector<float> norms;  // ‖row‖², precomputed once for knn_sqdist

private:
    int64_t rows_, cols_;
};

class OneDnnBackend final : public Backend {
public:
    explicit OneDnnBackend(const sdk::Host &host)
        : Backend(host), threads_(static_cast<int>(std::max(1u, host.threads()))), eng_(dnnl::engine::kind::cpu, 0),
          strm_(eng_) {}
    const char *name() const override { return "cpu (oneDNN)"; }

    std::unique_ptr<Resident> upload(const float *data, int64_t rows, int64_t cols) override {
        if (rows < 0 || cols < 1) fail(VIGIL_ERR_INVALID_ARGUMENT, "upload: bad matrix size");
        budget();
        return std::make_unique<CpuResident>(data, rows, cols, threads_);
    }

    void matmul_abt(const float *a, int64_t m, const Resident &r, float *out) override {
        const auto &res = static_cast<const CpuResident &>(r);
        if (m <= 0 || res.rows() == 0) return;
        budget();
        gemm_abt(a, m, res.cols(), res.data.data(), res.rows(), out);
    }

    void row_sqnorms(const Resident &r, float *out) override {
        const auto &res = static_cast<const CpuResident &>(r);
        std::copy(res.norms.begin(), res.norms.end(), out);
    }

    void knn_sqdist(const Resident &r, const float *q, int64_t m, int k, float *out) override {
        const auto &res = static_cast<const CpuResident &>(r);
        const int64_t n = res.rows(), d = res.cols();
        if (k < 1 || k > n)
            fail(VIGIL_ERR_INVALID_ARGUMENT, "knn: k = " + std::to_string(k) + " must be in 1.." + std::to_string(n));
        if (m <= 0) return;
        budget();
        // One QB x TB block of dot products at a time (default 16 MiB).
        const int64_t QB = blocks_.query_rows > 0 ? blocks_.query_rows : 1024;
        const int64_t TB = blocks_.train_rows > 0 ? blocks_.train_rows : 4096;
        std::vector<float> dots(static_cast<size_t>(std::min(QB, m) * std::min(TB, n))), qn(static_cast<size_t>(std::min(QB, m)));
        for (int64_t q0 = 0; q0 < m; q0 += QB) {
            const int64_t mb = std::min(QB, m - q0);
            const float *qb = q + q0 * d;
            float *heaps = out + q0 * k;  // row i's max-heap of its k smallest, in out itself
            std::fill(heaps, heaps + mb * k, std::numeric_limits<float>::infinity());
            row_norms(qb, mb, d, qn.data(), threads_);
            for (int64_t t0 = 0; t0 < n; t0 += TB) {
                host_.check_cancelled();
                const int64_t nb = std::min(TB, n - t0);
                gemm_abt(qb, mb, d, res.data.data() + t0 * d, nb, dots.data());
                const float *tn = res.norms.data() + t0;
#pragma omp parallel for schedule(static) num_threads(threads_)
                for (int64_t i = 0; i < mb; ++i) {
                    float *row = dots.data() + i * nb;
                    const float qi = qn[i];
                    // ‖q − t‖² = ‖q‖² + ‖t‖² − 2 q·t, clamped at 0 against rounding (vectorised pass) ...
                    for (int64_t j = 0; j < nb; ++j) row[j] = std::max(0.0f, qi + tn[j] - 2.0f * row[j]);
                    // ... then the k smallest so far, in a bounded max-heap.
                    float *heap = heaps + i * k;
                    for (int64_t j = 0; j < nb; ++j)
                        if (row[j] < heap[0]) topk_offer(heap, k, row[j]);
                }
            }
#pragma omp parallel for schedule(static) num_threads(threads_)
            for (int64_t i = 0; i < mb; ++i) topk_finish(heaps + i * k, k);
            host_.progress(static_cast<uint64_t>(q0 + mb), static_cast<uint64_t>(m), "knn");
        }
    }

private:
    // The object may be called from a different thread each time (one at a
    // time): set this thread's OpenMP budget, which oneDNN also follows.
    void budget() const { omp_set_num_threads(threads_); }

    // out (m x n) = A (m x k) · Bᵀ with B (n x k), all row-major: B is read
    // through strides {1, k} as the k x n weights of oneDNN's matmul.
    void gemm_abt(const float *a, int64_t m, int64_t k, const float *b, int64_t n, float *out) {
        using dt = dnnl::memory::data_type;
        try {
            const auto key = std::make_tuple(m, k, n);
            auto it = cache_.find(key);
            if (it == cache_.end()) {
                if (cache_.size() >= kMaxCached) cache_.clear();  // bounded: callers use few shapes
                const dnnl::memory::desc a_md({m, k}, dt::f32, dnnl::memory::dims{k, 1});
                const dnnl::memory::desc b_md({k, n}, dt::f32, dnnl::memory::dims{1, k});
                const dnnl::memory::desc c_md({m, n}, dt::f32, dnnl::memory::dims{n, 1});
                const dnnl::matmul::desc desc(a_md, b_md, c_md);
                const dnnl::matmul::primitive_desc pd(desc, eng_);
                it = cache_.emplace(key, Prim{dnnl::matmul(pd), a_md, b_md, c_md}).first;
            }
            Prim &p = it->second;
            dnnl::memory am(p.a, eng_, const_cast<float *>(a)), bm(p.b, eng_, const_cast<float *>(b)),
                cm(p.c, eng_, out);
            p.prim.execute(strm_, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
            strm_.wait();
        } catch (const dnnl::error &e) {
            fail(e.status == dnnl_out_of_memory ? VIGIL_ERR_OUT_OF_MEMORY : VIGIL_ERR_INTERNAL,
                 std::string("oneDNN matmul ") + std::to_string(m) + "x" + std::to_string(k) + " * (" +
                     std::to_string(n) + "x" + std::to_string(k) + ")^T failed: " + e.what());
        }
    }

    struct Prim {
        dnnl::matmul prim;
        dnnl::memory::desc a, b, c;
    };
    static constexpr size_t kMaxCached = 16;
    int threads_;
    dnnl::engine eng_;
    dnnl::stream strm_;
    std::map<std::tuple<int64_t, int64_t, int64_t>, Prim> cache_;
};

} // namespace

std::unique_ptr<Backend> make_backend(const sdk::Host &host) {
    try {
        return std::make_unique<OneDnnBackend>(host);
    } catch (const dnnl::error &e) {
        fail(VIGIL_ERR_INTERNAL, std::string("oneDNN initialisation failed: ") + e.what());
    }
}

} // namespace vigil::compute
