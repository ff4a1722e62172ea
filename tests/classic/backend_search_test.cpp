// backend_search_test.cpp — Backend::sqdist and Backend::knn_search (the shared
// implementation every backend gets) on the cpu backend, against brute force in
// double: distances, neighbour order, ties broken by index, blocking.
#include <vigil/compute/backend.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace {
std::vector<float> randn(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g;
    std::vector<float> v(static_cast<size_t>(n));
    for (float &x : v) x = g(rng);
    return v;
}
} // namespace

TEST_CASE("knn_search returns the k nearest rows, ascending, ties by smaller index") {
    const vigil::sdk::Host host;
    auto be = vigil::compute::make_backend(host);
    const int64_t n = 257, d = 9, m = 40;
    const int k = 7;
    std::vector<float> t = randn(n * d, 1), q = randn(m * d, 2);
    std::copy(t.begin() + 5 * d, t.begin() + 6 * d, t.begin() + 200 * d);  // row 200 duplicates row 5
    std::copy(t.begin() + 5 * d, t.begin() + 6 * d, q.begin());            // query 0 sits on both
    auto r = be->upload(t.data(), n, d);
    for (int64_t block : {0, 1, 16}) {
        CAPTURE(block);
        be->set_knn_blocks({block, 0});
        std::vector<float> dist(m * k);
        std::vector<int64_t> idx(m * k);
        be->knn_search(*r, q.data(), m, k, dist.data(), idx.data());
        for (int64_t i = 0; i < m; ++i) {
            std::vector<std::pair<double, int64_t>> all;
            for (int64_t j = 0; j < n; ++j) {
                double s = 0;
                for (int64_t c = 0; c < d; ++c) s += std::pow(double(q[i * d + c]) - t[j * d + c], 2);
                all.push_back({s, j});
            }
            std::sort(all.begin(), all.end());
            for (int j = 0; j < k; ++j) {
                CHECK(idx[i * k + j] == all[j].second);
                CHECK(dist[i * k + j] == doctest::Approx(all[j].first).epsilon(1e-4).scale(1.0));
            }
        }
        CHECK(idx[0] == 5);  // the tie at distance 0: smaller index first
        CHECK(idx[1] == 200);
    }
    std::vector<float> all(m * n);
    be->sqdist(*r, q.data(), m, all.data());
    CHECK(*std::min_element(all.begin(), all.end()) >= 0.0f);
    std::vector<float> dist(1);
    std::vector<int64_t> idx(1);
    CHECK_THROWS_AS(be->knn_search(*r, q.data(), 1, 0, dist.data(), idx.data()), vigil::sdk::Error);
}
