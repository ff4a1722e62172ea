// onednn_backend.cpp — the cpu Backend: GEMMs through oneDNN's matmul
// primitive (cached per shape), everything else with OpenMP loops using a
// static schedule so results do not depend on the number of threads.
#include <vigil/compute/backend.hpp>
#include <vigil/compute/topk.hpp>

#include <dnnl.hpp>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
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

class CpuResident final : public Resident {
public:
    CpuResident(const float *d, int64_t r, int64_t c) : data(d, d + r * c), norms(static_cast<size_t>(r)), rows_(r), cols_(c) {
        for (int64_t i = 0; i < r; ++i) {
            double s = 0;
            for (int64_t j = 0; j < c; ++j) s += double(d[i * c + j]) * d[i * c + j];
            norms[i] = static_cast<float>(s);
        }
    }
    int64_t rows() const override { return rows_; }
    int64_t cols() const override { return cols_; }
    std::vector<float> data;   // row-major rows x cols
    std::vector<float> norms;  // squared L2 norm of each row

private:
    int64_t rows_, cols_;
};

class OneDnnBackend final : public Backend {
public:
    explicit OneDnnBackend(const sdk::Host &host) : host_(host), eng_(dnnl::engine::kind::cpu, 0), strm_(eng_) {
        omp_set_num_threads(static_cast<int>(host.threads()));
    }
    const char *name() const override { return "cpu (oneDNN)"; }

    std::unique_ptr<Resident> upload(const float *data, int64_t rows, int64_t cols) override {
        return std::make_unique<CpuResident>(data, rows, cols);
    }

    void matmul_abt(const float *a, int64_t m, const Resident &r, float *out) override {
        const auto &res = static_cast<const CpuResident &>(r);
        gemm_abt(a, m, res.cols(), res.data.data(), res.rows(), out);
    }

    void knn_sqdist(const Resident &r, const float *q, int64_t m, int k, float *out) override {
        const auto &res = static_cast<const CpuResident &>(r);
        const int64_t n = res.rows(), d = res.cols();
        if (k < 1 || k > n) fail(VIGIL_ERR_INVALID_ARGUMENT, "k must be in 1.." + std::to_string(n));
        // Blocks bound memory: one QB x TB block of dot products (16 MiB) at a time.
        constexpr int64_t QB = 1024, TB = 4096;
        std::vector<float> dots(static_cast<size_t>(QB * TB)), qn(static_cast<size_t>(QB));
        for (int64_t q0 = 0; q0 < m; q0 += QB) {
            host_.check_cancelled();
            const int64_t mb = std::min(QB, m - q0);
            const float *qb = q + q0 * d;
            float *heaps = out + q0 * k;
            std::fill(heaps, heaps + mb * k, std::numeric_limits<float>::infinity());
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < mb; ++i) {
                double s = 0;
                for (int64_t j = 0; j < d; ++j) s += double(qb[i * d + j]) * qb[i * d + j];
                qn[i] = static_cast<float>(s);
            }
            for (int64_t t0 = 0; t0 < n; t0 += TB) {
                const int64_t nb = std::min(TB, n - t0);
                gemm_abt(qb, mb, d, res.data.data() + t0 * d, nb, dots.data());
                // ‖q − t‖² = ‖q‖² + ‖t‖² − 2 q·t, clamped at 0 against rounding.
#pragma omp parallel for schedule(static)
                for (int64_t i = 0; i < mb; ++i) {
                    const float *row = dots.data() + i * nb;
                    float *heap = heaps + i * k;
                    for (int64_t j = 0; j < nb; ++j) {
                        const float d2 = std::max(0.0f, qn[i] + res.norms[t0 + j] - 2.0f * row[j]);
                        topk_offer(heap, k, d2);
                    }
                }
            }
            for (int64_t i = 0; i < mb; ++i) topk_finish(heaps + i * k, k);
            host_.progress(static_cast<uint64_t>(q0 + mb), static_cast<uint64_t>(m), "distances");
        }
    }

private:
    // out (m x n) = A (m x k) · Bᵀ with B (n x k), all row-major: B is read
    // through strides {1, k} as the k x n weights of oneDNN's matmul.
    void gemm_abt(const float *a, int64_t m, int64_t k, const float *b, int64_t n, float *out) {
        using dt = dnnl::memory::data_type;
        auto key = std::make_tuple(m, k, n);
        auto it = cache_.find(key);
        if (it == cache_.end()) {
            const dnnl::memory::desc a_md({m, k}, dt::f32, dnnl::memory::dims{k, 1});
            const dnnl::memory::desc b_md({k, n}, dt::f32, dnnl::memory::dims{1, k});
            const dnnl::memory::desc c_md({m, n}, dt::f32, dnnl::memory::dims{n, 1});
            const dnnl::matmul::desc desc(a_md, b_md, c_md);
            const dnnl::matmul::primitive_desc pd(desc, eng_);
            it = cache_.emplace(key, Prim{dnnl::matmul(pd), a_md, b_md, c_md}).first;
        }
        Prim &p = it->second;
        dnnl::memory am(p.a, eng_, const_cast<float *>(a)), bm(p.b, eng_, const_cast<float *>(b)), cm(p.c, eng_, out);
        p.prim.execute(strm_, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
        strm_.wait();
    }

    struct Prim {
        dnnl::matmul prim;
        dnnl::memory::desc a, b, c;
    };
    sdk::Host host_;
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
