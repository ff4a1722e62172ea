// knn_test.cpp — the knn detector against a brute-force double-precision
// search, across several query and training blocks; its save/load round trip
// and its error paths.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace vigil;

namespace {

// Exact k smallest Euclidean distances, in double.
std::vector<double> brute_knn(const Tensor &train, const Tensor &q, int k, bool mean) {
    const int64_t n = train.samples(), m = q.samples(), d = train.sample_size();
    std::vector<double> out(static_cast<size_t>(m));
    std::vector<double> dist(static_cast<size_t>(n));
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t c = 0; c < d; ++c) {
                const double t = double(q.data<float>()[i * d + c]) - train.data<float>()[j * d + c];
                s += t * t;
            }
            dist[j] = std::sqrt(s);
        }
        std::partial_sort(dist.begin(), dist.begin() + k, dist.end());
        double agg = 0;
        for (int j = 0; j < k; ++j) agg += dist[j];
        out[i] = mean ? agg / k : dist[k - 1];
    }
    return out;
}

} // namespace

TEST_CASE("knn matches a brute-force search across blocks (5000 train x 1500 queries x 50 features)") {
    // 5000 training rows span two 4096-row blocks and 1500 queries two 1024-row blocks.
    const Tensor train = test::random_tensor(5000, 50, 1), q = test::random_tensor(1500, 50, 2, 0.5f);
    for (auto [k, agg] : {std::pair<int, const char *>{1, "kth"}, {5, "kth"}, {5, "mean"}}) {
        CAPTURE(k);
        CAPTURE(agg);
        auto det = test::detector("knn", {{"k", k}, {"aggregate", agg}});
        det->fit(train, nullptr);
        const std::vector<float> s = det->score(q);
        const std::vector<double> ref = brute_knn(train, q, k, std::string(agg) == "mean");
        double worst = 0;
        for (size_t i = 0; i < s.size(); ++i) worst = std::max(worst, std::abs(s[i] - ref[i]) / ref[i]);
        // float GEMM expansion vs exact double: relative error well under 1e-4 at these norms.
        CHECK(worst < 1e-4);
    }
}

TEST_CASE("knn k=1 scores the training samples themselves at distance ~0") {
    const Tensor train = test::random_tensor(300, 20, 3);
    auto det = test::detector("knn", {{"k", 1}});
    det->fit(train, nullptr);
    for (float v : det->score(train)) CHECK(v < 1e-2f);  // sqrt of float rounding of ‖q‖² + ‖t‖² − 2q·t
}

TEST_CASE("knn save/load reproduces scores bit for bit") {
    const Tensor train = test::random_tensor(700, 16, 4), q = test::random_tensor(200, 16, 5);
    auto a = test::detector("knn", {{"k", 3}});
    a->fit(train, nullptr);
    auto b = test::detector("knn", {{"k", 3}});
    b->load(a->save());
    const auto sa = a->score(q), sb = b->score(q);
    CHECK(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)) == 0);
}

TEST_CASE("knn errors name the problem") {
    const Tensor train = test::random_tensor(4, 3, 6);
    auto det = test::detector("knn", {{"k", 5}});
    CHECK(test::error_of([&] { det->fit(train, nullptr); }) ==
          "knn (cpu) fit: k = 5 needs at least 5 training samples, got 4 [VIGIL_ERR_INVALID_ARGUMENT]");
    auto ok = test::detector("knn", {{"k", 2}});
    CHECK(test::error_of([&] { ok->score(train); }) == "knn (cpu) score: score called before fit [VIGIL_ERR_STATE]");
    ok->fit(train, nullptr);
    CHECK(test::error_of([&] { ok->score(test::random_tensor(2, 4, 7)); }) ==
          "knn (cpu) score: samples have 4 features, but the model was fitted on 3 [VIGIL_ERR_INVALID_ARGUMENT]");
    Tensor bad = test::random_tensor(3, 3, 8);
    bad.data<float>()[7] = std::nanf("");
    CHECK(test::error_of([&] { ok->score(bad); }).find("non-finite value (NaN or Inf) in sample 2, element 1") != std::string::npos);
    auto state = ok->save();
    state.resize(state.size() - 4);
    auto fresh = test::detector("knn", {{"k", 2}});
    CHECK(test::error_of([&] { fresh->load(state); }).find("[VIGIL_ERR_IO]") != std::string::npos);
}
