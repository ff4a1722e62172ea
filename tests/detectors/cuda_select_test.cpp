// cuda_select_test.cpp — the cuda backend's k-nearest selection
// (framework/compute/cuda/knn_select.cuh) run on the CPU by emulating its
// grid: the same __host__ __device__ functions the kernels call, fed the
// layouts cuBLAS produces (dot products query-fastest), over several training
// blocks, compared with a sort. This is what can be tested of the cuda
// variant's own logic on a machine without a GPU; the kernels themselves are
// only thin loops around these functions.
#include "framework/compute/cuda/knn_select.cuh"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace vigil::compute::cuda;

namespace {

// Emulates knn_sqdist's device work for one query block of mb rows against n
// training rows, in training blocks of tb rows: fill, scan per block, merge.
std::vector<float> emulate(const std::vector<float> &q, const std::vector<float> &t, int64_t mb, int64_t n, int64_t d,
                           int k, int parts, int64_t tb) {
    auto norms = [d](const std::vector<float> &x, int64_t rows) {
        std::vector<float> out(static_cast<size_t>(rows));
        for (int64_t i = 0; i < rows; ++i) {
            double s = 0;
            for (int64_t j = 0; j < d; ++j) s += double(x[i * d + j]) * x[i * d + j];
            out[i] = static_cast<float>(s);
        }
        return out;
    };
    const std::vector<float> qn = norms(q, mb), tn = norms(t, n);
    std::vector<float> partial(static_cast<size_t>(parts) * k * mb, std::numeric_limits<float>::infinity());
    for (int64_t t0 = 0; t0 < n; t0 += tb) {
        const int64_t nb = std::min(tb, n - t0);
        std::vector<float> dots(static_cast<size_t>(mb * nb));  // column-major mb x nb, as cuBLAS writes it
        for (int64_t j = 0; j < nb; ++j)
            for (int64_t i = 0; i < mb; ++i) {
                float s = 0;
                for (int64_t c = 0; c < d; ++c) s += q[i * d + c] * t[(t0 + j) * d + c];
                dots[j * mb + i] = s;
            }
        for (int p = 0; p < parts; ++p)  // grid (mb, parts); any order, threads are independent
            for (int64_t i = 0; i < mb; ++i) scan_block(i, p, parts, dots.data(), qn.data(), tn.data() + t0, mb, nb, k, partial.data());
    }
    std::vector<float> out(static_cast<size_t>(mb) * k);
    for (int64_t i = 0; i < mb; ++i) merge_parts(i, parts, partial.data(), mb, k, out.data());
    return out;
}

} // namespace

TEST_CASE("cuda knn selection (emulated on the CPU) returns each row's k smallest, ascending") {
    std::mt19937 rng(7);
    std::normal_distribution<float> g;
    struct Case {
        int64_t mb, n, d;
        int k, parts;
        int64_t tb;
    };
    // Partitions larger than a block, k == n, one partition, ragged training blocks.
    for (const Case c : {Case{37, 300, 5, 5, 4, 128}, Case{10, 40, 3, 40, 32, 7}, Case{64, 500, 8, 1, 1, 500},
                         Case{5, 90, 4, 17, 3, 1}, Case{33, 257, 6, 8, choose_parts(33, 8), 64}}) {
        CAPTURE(c.mb);
        CAPTURE(c.n);
        CAPTURE(c.k);
        CAPTURE(c.parts);
        CAPTURE(c.tb);
        std::vector<float> q(static_cast<size_t>(c.mb * c.d)), t(static_cast<size_t>(c.n * c.d));
        for (float &v : q) v = g(rng);
        for (float &v : t) v = g(rng);
        for (int64_t c0 = 0; c0 < c.d; ++c0) t[c0] = q[c0];  // training row 0 equals query 0: distance ~0, clamped >= 0
        const std::vector<float> got = emulate(q, t, c.mb, c.n, c.d, c.k, c.parts, c.tb);
        for (int64_t i = 0; i < c.mb; ++i) {
            std::vector<double> ref(static_cast<size_t>(c.n));
            for (int64_t j = 0; j < c.n; ++j) {
                double s = 0;
                for (int64_t x = 0; x < c.d; ++x) s += std::pow(double(q[i * c.d + x]) - t[j * c.d + x], 2);
                ref[j] = s;
            }
            std::sort(ref.begin(), ref.end());
            for (int s = 0; s < c.k; ++s) {
                const float v = got[i * c.k + s];
                REQUIRE(v >= 0.0f);
                if (s > 0) REQUIRE(v >= got[i * c.k + s - 1]);
                REQUIRE(std::abs(v - ref[s]) < 1e-4 * std::max(1.0, ref[s]));
            }
        }
    }
}

TEST_CASE("cuda knn partitions: enough threads, bounded memory") {
    CHECK(choose_parts(2048, 5) == 32);    // 2048 * 32 = 65536 threads
    CHECK(choose_parts(8192, 5) == 8);
    CHECK(choose_parts(100000, 5) == 1);
    CHECK(choose_parts(16, 1024) == 4);    // parts * k <= 4096
    CHECK(choose_parts(16, 1000) == 4);
    CHECK(choose_parts(1, 1) == kMaxParts);
}
