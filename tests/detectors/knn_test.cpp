// knn_test.cpp — the knn detector (vigil-knn-cpu.so, through the C ABI)
// against a brute-force double-precision search, with block sizes small
// enough that queries and training rows span several distance blocks; the
// identity case, determinism, save/load round trip, and every error path.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace vigil::test;

namespace {

const std::string kKnn = plugin_path("knn");

// Exact k smallest Euclidean distances per query, in double; "kth" or "mean".
std::vector<double> brute_knn(const Matrix &train, const Matrix &q, int k, bool mean) {
    std::vector<double> out(static_cast<size_t>(q.n)), dist(static_cast<size_t>(train.n));
    for (int64_t i = 0; i < q.n; ++i) {
        for (int64_t j = 0; j < train.n; ++j) {
            double s = 0;
            for (int64_t c = 0; c < q.d; ++c) {
                const double t = double(q.at(i, c)) - double(train.at(j, c));
                s += t * t;
            }
            dist[static_cast<size_t>(j)] = std::sqrt(s);
        }
        std::partial_sort(dist.begin(), dist.begin() + k, dist.end());
        double agg = 0;
        for (int j = 0; j < k; ++j) agg += dist[static_cast<size_t>(j)];
        out[static_cast<size_t>(i)] = mean ? agg / k : dist[static_cast<size_t>(k - 1)];
    }
    return out;
}

double max_abs_diff(const std::vector<float> &a, const std::vector<double> &b) {
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i) w = std::max(w, std::abs(double(a[i]) - b[i]));
    return w;
}

} // namespace

TEST_CASE("knn descriptor: a cpu detector that always runs") {
    PluginSo so(kKnn);
    CHECK(std::string(so.desc().name) == "knn");
    CHECK(so.desc().kind == VIGIL_KIND_DETECTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    std::string why;
    CHECK(probe(so, why) == 100);
    CHECK(why.empty());
}

TEST_CASE("knn matches a brute-force double search across blocks (3000 train x 50 features)") {
    // Distances here are about 10 (sqrt(2 * 50) plus the shift); float GEMM
    // expansion ‖q‖² + ‖t‖² − 2 q·t loses ~1e-7 * ‖q‖² ≈ 1e-5 in d², i.e.
    // ~1e-6 in d. Tolerance: max absolute error 1e-4 (relative ~1e-5).
    const Matrix train = random_matrix(3000, 50, 1), q = random_matrix(700, 50, 2, 0.5f);
    struct Case {
        int k;
        const char *agg;
    };
    for (const Case c : {Case{1, "kth"}, Case{5, "kth"}, Case{1, "mean"}, Case{5, "mean"}}) {
        const std::vector<double> ref = brute_knn(train, q, c.k, std::string(c.agg) == "mean");
        // 128 x 512 blocks: 6 query blocks and 6 training blocks, both with ragged tails;
        // then the default blocks (one block each here) and 1-row blocks on a subset.
        for (const char *blocks : {R"(, "query_block": 128, "train_block": 512)", ""}) {
            const std::string params =
                std::string(R"({"k": )") + std::to_string(c.k) + R"(, "aggregate": ")" + c.agg + "\"" + blocks + "}";
            CAPTURE(params);
            Detector det(kKnn, params);
            REQUIRE(det.status == VIGIL_OK);
            REQUIRE(det.fit(train) == VIGIL_OK);
            const double err = max_abs_diff(det.scores(q), ref);
            MESSAGE("k=" << c.k << " " << std::string(c.agg) << (*blocks ? " (128x512 blocks)" : " (default blocks)")
                         << ": max abs error vs double brute force " << err);
            CHECK(err < 1e-4);
        }
    }
}

TEST_CASE("knn with 1-row blocks and k equal to the training size") {
    const Matrix train = random_matrix(37, 6, 3), q = random_matrix(11, 6, 4);
    for (int k : {1, 4, 37}) {
        CAPTURE(k);
        Detector det(kKnn, R"({"k": )" + std::to_string(k) + R"(, "aggregate": "mean", "query_block": 1, "train_block": 1})");
        REQUIRE(det.fit(train) == VIGIL_OK);
        CHECK(max_abs_diff(det.scores(q), brute_knn(train, q, k, true)) < 1e-4);
    }
}

TEST_CASE("knn k=1 scores the training samples themselves at distance ~0") {
    // ‖q‖² + ‖t‖² − 2 q·t with q = t is 0 up to float rounding (~1e-7 * 2‖q‖² ≈ 1e-5
    // here), and the square root turns that into at most ~4e-3: tolerance 1e-2.
    const Matrix train = random_matrix(300, 20, 3);
    Detector det(kKnn, R"({"k": 1})");
    REQUIRE(det.fit(train) == VIGIL_OK);
    float worst = 0;
    for (float v : det.scores(train)) worst = std::max(worst, v);
    MESSAGE("largest k=1 score of a training sample: " << worst);
    CHECK(worst < 1e-2f);
}

TEST_CASE("knn scores are deterministic: repeated calls and 1 vs 2 threads give identical bits") {
    const Matrix train = random_matrix(2500, 40, 5), q = random_matrix(900, 40, 6, 0.2f);
    const std::string params = R"({"k": 5, "query_block": 256, "train_block": 1024})";
    Detector one(kKnn, params, 1), two(kKnn, params, 2);
    REQUIRE(one.fit(train) == VIGIL_OK);
    REQUIRE(two.fit(train) == VIGIL_OK);
    const auto a = one.scores(q);
    CHECK(bit_identical(a, one.scores(q)));
    CHECK(bit_identical(a, two.scores(q)));
}

TEST_CASE("knn reports progress per query block, labelled knn") {
    static std::vector<std::pair<uint64_t, uint64_t>> seen;
    seen.clear();
    Detector det(kKnn, R"({"k": 2, "query_block": 40})");
    det.host_table.progress = [](void *, uint64_t done, uint64_t total, const char *label) {
        if (std::string(label) == "knn") seen.emplace_back(done, total);
    };  // the plugin keeps a pointer to host_table, so this applies from now on
    REQUIRE(det.fit(random_matrix(50, 4, 1)) == VIGIL_OK);
    REQUIRE(det.scores(random_matrix(100, 4, 2)).size() == 100);
    CHECK(seen == std::vector<std::pair<uint64_t, uint64_t>>{{40, 100}, {80, 100}, {100, 100}});
}

TEST_CASE("knn save/load reproduces scores bit for bit; the state does not depend on k") {
    const Matrix train = random_matrix(700, 16, 4), q = random_matrix(200, 16, 5);
    Detector a(kKnn, R"({"k": 3})");
    REQUIRE(a.fit(train) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(a.save(state) == VIGIL_OK);
    CHECK(state.size() == 8 + 8 + 700 * 16 * 4);  // D, length, the training matrix
    Detector b(kKnn, R"({"k": 3})");
    REQUIRE(b.load(state) == VIGIL_OK);
    CHECK(bit_identical(a.scores(q), b.scores(q)));
    Detector c(kKnn, R"({"k": 7, "aggregate": "mean"})");
    REQUIRE(c.load(state) == VIGIL_OK);
    CHECK(max_abs_diff(c.scores(q), brute_knn(train, q, 7, true)) < 1e-4);
}

TEST_CASE("knn scores an empty batch") {
    Detector det(kKnn, R"({"k": 2})");
    REQUIRE(det.fit(random_matrix(10, 3, 1)) == VIGIL_OK);
    std::vector<float> out;
    CHECK(det.score(Matrix(0, 3), out) == VIGIL_OK);
}

TEST_CASE("knn errors name the problem") {
    const Matrix train = random_matrix(4, 3, 6);

    SUBCASE("k larger than the training set") {
        Detector det(kKnn, R"({"k": 5})");
        CHECK(det.fit(train) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "k = 5 is larger than the number of training samples (4); use k <= 4");
    }
    SUBCASE("score and save before fit") {
        Detector det(kKnn, R"({"k": 2})");
        std::vector<float> out;
        CHECK(det.score(train, out) == VIGIL_ERR_STATE);
        CHECK(det.host.last_error == "score called before fit (or load)");
        std::vector<uint8_t> state;
        CHECK(det.save(state) == VIGIL_ERR_STATE);
    }
    SUBCASE("wrong feature count names both sizes") {
        Detector det(kKnn, R"({"k": 2})");
        REQUIRE(det.fit(train) == VIGIL_OK);
        std::vector<float> out;
        CHECK(det.score(random_matrix(2, 4, 7), out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "samples have 4 features, but the model was fitted on 3");
    }
    SUBCASE("non-finite input names the sample") {
        Detector det(kKnn, R"({"k": 2})");
        Matrix bad = random_matrix(3, 3, 8);
        bad.at(2, 1) = std::nanf("");
        CHECK(det.fit(bad) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "training data: non-finite value (NaN or Inf) in sample 2, element 1");
        REQUIRE(det.fit(train) == VIGIL_OK);
        bad.at(2, 1) = 1.0f;
        bad.at(1, 0) = INFINITY;
        std::vector<float> out;
        CHECK(det.score(bad, out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "scoring data: non-finite value (NaN or Inf) in sample 1, element 0");
    }
    SUBCASE("a failed refit keeps the fitted model") {
        Detector det(kKnn, R"({"k": 2})");
        REQUIRE(det.fit(train) == VIGIL_OK);
        const auto before = det.scores(train);
        CHECK(det.fit(random_matrix(1, 3, 9)) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(bit_identical(before, det.scores(train)));
    }
    SUBCASE("truncated, padded or inconsistent state is an I/O error") {
        Detector det(kKnn, R"({"k": 2})");
        REQUIRE(det.fit(train) == VIGIL_OK);
        std::vector<uint8_t> state;
        REQUIRE(det.save(state) == VIGIL_OK);
        for (size_t cut : {size_t(4), size_t(12), state.size() - 4}) {
            CAPTURE(cut);
            Detector fresh(kKnn, R"({"k": 2})");
            CHECK(fresh.load(std::vector<uint8_t>(state.begin(), state.begin() + static_cast<long>(cut))) == VIGIL_ERR_IO);
            CHECK(fresh.host.last_error.find("truncated") != std::string::npos);
        }
        std::vector<uint8_t> padded = state;
        padded.push_back(0);
        Detector fresh(kKnn, R"({"k": 2})");
        CHECK(fresh.load(padded) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "plugin state has trailing bytes");
        std::vector<uint8_t> bad_d = state;
        const int64_t five = 5;  // 12 values are not a whole number of 5-feature rows
        std::memcpy(bad_d.data(), &five, sizeof five);
        CHECK(fresh.load(bad_d) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "knn state is malformed (feature count 5, 12 values)");
        Detector big_k(kKnn, R"({"k": 9})");
        CHECK(big_k.load(state) == VIGIL_ERR_IO);
        CHECK(big_k.host.last_error == "knn state holds 4 training samples, fewer than k = 9");
    }
    SUBCASE("bad parameters are refused at create, even from a host that skips the schema") {
        CHECK(Detector(kKnn, R"({"k": 0})").status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(Detector(kKnn, R"({"k": 2.5})").status == VIGIL_ERR_INVALID_ARGUMENT);
        Detector agg(kKnn, R"({"aggregate": "median"})");
        CHECK(agg.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(agg.host.last_error == R"(parameter aggregate must be one of "kth", "mean", got "median")");
        Detector unknown(kKnn, R"({"n_neighbors": 5})");
        CHECK(unknown.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(unknown.host.last_error.find("unknown parameter 'n_neighbors'") == 0);
        CHECK(Detector(kKnn, R"({"train_block": 0})").status == VIGIL_ERR_INVALID_ARGUMENT);
    }
    SUBCASE("cancellation between blocks") {
        Detector det(kKnn, R"({"k": 1, "train_block": 2})");
        REQUIRE(det.fit(train) == VIGIL_OK);
        det.host.cancel = true;
        std::vector<float> out;
        CHECK(det.score(train, out) == VIGIL_ERR_CANCELLED);
        CHECK(det.host.last_error == "cancelled by the host");
    }
}
