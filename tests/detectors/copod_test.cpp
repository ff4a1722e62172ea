// copod_test.cpp — the copod detector (vigil-copod-cpu.so, through the C
// ABI): a hand-computed example, a NumPy reference (tests/reference/gen_copod.py,
// numbers embedded below), a brute-force double computation on data that
// spans several feature chunks and sample tiles, determinism, save/load,
// corrupt state, degenerate data and every error path.
#include "detector_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace vigil::test;

namespace {

const std::string kCopod = plugin_path("copod");

Matrix matrix(int64_t n, int64_t d, const std::vector<float> &v) {
    Matrix m(n, d);
    REQUIRE(v.size() == m.v.size());
    m.v = v;
    return m;
}

std::vector<float> fit_score(const Matrix &train, const Matrix &q, uint32_t threads = 1) {
    Detector det(kCopod, "{}", threads);
    REQUIRE(det.status == VIGIL_OK);
    REQUIRE(det.fit(train) == VIGIL_OK);
    return det.scores(q);
}

// The definition in copod.cpp, written the slow way: counts by comparison,
// moments in double, sums in plain feature order.
std::vector<double> brute_copod(const Matrix &t, const Matrix &q) {
    const double n = double(t.n);
    std::vector<bool> left(static_cast<size_t>(t.d));
    for (int64_t j = 0; j < t.d; ++j) {
        double mean = 0, m2 = 0, m3 = 0;
        for (int64_t i = 0; i < t.n; ++i) mean += t.at(i, j);
        mean /= n;
        for (int64_t i = 0; i < t.n; ++i) {
            const double e = t.at(i, j) - mean;
            m2 += e * e;
            m3 += e * e * e;
        }
        left[static_cast<size_t>(j)] = m2 > 0 && m3 < 0;
    }
    std::vector<double> out;
    for (int64_t r = 0; r < q.n; ++r) {
        double pl = 0, pr = 0, ps = 0;
        for (int64_t j = 0; j < t.d; ++j) {
            int64_t le = 0, ge = 0;
            for (int64_t i = 0; i < t.n; ++i) {
                le += t.at(i, j) <= q.at(r, j);
                ge += t.at(i, j) >= q.at(r, j);
            }
            const double a = -std::log((1.0 + le) / (n + 1.0)), b = -std::log((1.0 + ge) / (n + 1.0));
            pl += a;
            pr += b;
            ps += left[static_cast<size_t>(j)] ? a : b;
        }
        out.push_back(std::max(pl, std::max(pr, ps)));
    }
    return out;
}

// Output of /usr/bin/python3 tests/reference/gen_copod.py (40 x 5 training
// samples on a 1/8 grid, 12 test samples; columns: right-skewed, left-skewed,
// constant 0.5, four values, roughly symmetric).
// bench/peers/copod.py agrees with this reference (rtol 1e-12)
// numpy 1.24.2; train (40, 5), test (12, 5)
// skewness per feature: 1.37766, -1.30942, 0, 0.0143282, -0.284437
const std::vector<float> kTrain = {
    1.75, -6.0, 0.5, 2.0, 5.5,
    0.0, -7.5, 0.5, 2.0, 4.125,
    0.375, -3.75, 0.5, 0.0, 2.75,
    0.75, -0.875, 0.5, 3.0, 4.0,
    4.5, -3.875, 0.5, 0.0, 2.625,
    0.25, -0.25, 0.5, 2.0, 6.75,
    2.375, -5.875, 0.5, 3.0, 2.625,
    2.25, -0.125, 0.5, 1.0, 1.5,
    0.625, -6.75, 0.5, 1.0, 5.375,
    1.5, -2.75, 0.5, 0.0, 3.5,
    0.875, -2.25, 0.5, 2.0, 3.125,
    1.25, -4.125, 0.5, 1.0, 4.125,
    0.5, -1.875, 0.5, 3.0, 4.0,
    0.125, -0.125, 0.5, 0.0, 3.25,
    0.125, -0.375, 0.5, 1.0, 2.125,
    0.25, -1.5, 0.5, 0.0, 5.5,
    0.25, -0.5, 0.5, 0.0, 2.25,
    0.625, -2.25, 0.5, 1.0, 4.375,
    0.75, -0.375, 0.5, 0.0, 4.5,
    0.5, -1.0, 0.5, 3.0, 4.0,
    0.875, -0.5, 0.5, 2.0, 1.75,
    0.875, -2.625, 0.5, 3.0, 2.375,
    1.0, -2.625, 0.5, 0.0, 1.875,
    0.375, -0.125, 0.5, 1.0, 4.0,
    1.0, -0.875, 0.5, 3.0, -0.625,
    1.25, -0.375, 0.5, 0.0, 4.25,
    0.625, -2.625, 0.5, 3.0, 0.125,
    1.625, -1.125, 0.5, 3.0, 3.125,
    4.625, -0.625, 0.5, 2.0, 3.5,
    2.625, -0.125, 0.5, 2.0, 5.0,
    2.125, -2.0, 0.5, 3.0, 4.25,
    1.875, -2.0, 0.5, 1.0, 5.625,
    0.75, -0.25, 0.5, 2.0, 4.875,
    0.0, -0.25, 0.5, 3.0, 3.375,
    0.25, -1.125, 0.5, 1.0, 1.375,
    4.25, -1.25, 0.5, 2.0, 1.625,
    0.125, -1.875, 0.5, 0.0, 1.375,
    1.25, -0.5, 0.5, 0.0, 5.125,
    2.875, -0.875, 0.5, 0.0, 3.375,
    2.625, -4.25, 0.5, 3.0, 0.875};
const std::vector<float> kTest = {
    -1.0, 1.0, 0.5, -1.0, 100.0,
    100.0, -100.0, 0.625, 5.0, -100.0,
    0.75, -0.875, 0.5, 3.0, 4.0,
    0.125, -1.25, 0.375, 2.0, 4.125,
    0.875, -0.125, 0.5, 0.0, 3.625,
    0.25, -0.125, 0.5, 1.0, 1.875,
    2.125, -2.125, 0.5, 2.0, 0.75,
    0.375, -4.375, 0.5, 1.0, 2.625,
    0.125, -0.25, 0.5, 0.0, 2.125,
    0.25, -0.75, 0.5, 1.0, 1.25,
    1.0, -1.875, 0.5, 1.0, 3.625,
    0.5, -1.25, 0.5, 1.0, 5.25};
const std::vector<double> kExpected = {7.427144133408615, 18.567860333521537, 3.3156950550984248, 6.9630852149214313, 3.4957968551540666, 3.4910235764014086, 5.7005182463294419, 5.0073710657694974, 4.4887662546850446, 4.8250495089755425, 2.510956809130017, 3.2029931325822307};
// left, right, skew-corrected sums per test sample:
//   7.42714413, 7.42714413, 0
//   7.42714413, 11.1407162, 18.5678603
//   1.55331019, 3.31569506, 2.55883206
//   6.96308521, 2.34711153, 1.73438592
//   2.30477841, 3.49579686, 1.20060746
//   3.49102358, 2.79752802, 1.88731634
//   4.14992083, 2.54778222, 5.70051825
//   5.00737107, 1.04304279, 3.70376842
//   4.48876625, 1.93197711, 1.46834137
//   4.82504951, 1.55783714, 3.22134227
//   2.51095681, 2.37923865, 2.46262026
//   2.54266712, 3.20299313, 1.45775368

} // namespace

TEST_CASE("copod descriptor: a cpu detector without parameters") {
    PluginSo so(kCopod);
    CHECK(std::string(so.desc().name) == "copod");
    CHECK(so.desc().kind == VIGIL_KIND_DETECTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    std::string why;
    CHECK(probe(so, why) == 100);
    const auto schema = nlohmann::json::parse(so.desc().params_schema);
    CHECK(schema["additionalProperties"] == false);
    CHECK(schema["properties"].empty());
}

TEST_CASE("copod by hand: 5 training points in 2-D") {
    // Feature 0: 1 2 3 4 10 — mean 4, m2 = 10, m3 = 36, skewness +1.14: right tail.
    // Feature 1: 5 5 4 1 5  — mean 4, m2 = 2.4, m3 = −4.8, skewness −1.29: left tail.
    // N + 1 = 6; F = (1 + #{t ≤ x}) / 6, G = (1 + #{t ≥ x}) / 6.
    const Matrix train = matrix(5, 2, {1, 5, 2, 5, 3, 4, 4, 1, 10, 5});
    const Matrix q = matrix(4, 2, {3, 5, 10, 1, 0, 6, 20, -3});
    const auto s = fit_score(train, q);
    // (3, 5): F = 4/6, 1; G = 4/6, 4/6. p_l = ln 1.5, p_r = 2 ln 1.5, p_s = ln 1.5 + 0.
    CHECK(s[0] == doctest::Approx(2 * std::log(1.5)).epsilon(1e-7));
    // (10, 1): F = 1, 2/6; G = 2/6, 1. p_l = ln 3, p_r = ln 3, p_s = ln 3 + ln 3.
    CHECK(s[1] == doctest::Approx(2 * std::log(3.0)).epsilon(1e-7));
    // (0, 6), below / above every training value: F = 1/6, 1; G = 1, 1/6.
    // p_l = p_r = ln 6, p_s = 0 (each feature's skewed tail is on the other side).
    CHECK(s[2] == doctest::Approx(std::log(6.0)).epsilon(1e-7));
    // (20, −3): outside on the skewed side of both features: p_s = 2 ln 6.
    CHECK(s[3] == doctest::Approx(2 * std::log(6.0)).epsilon(1e-7));
}

TEST_CASE("copod matches the NumPy reference (tests/reference/gen_copod.py)") {
    const Matrix train = matrix(40, 5, kTrain), q = matrix(12, 5, kTest);
    const auto s = fit_score(train, q);
    REQUIRE(s.size() == kExpected.size());
    for (size_t i = 0; i < s.size(); ++i) {
        CAPTURE(i);
        CHECK(s[i] == doctest::Approx(kExpected[i]).epsilon(1e-6));  // float32 scores
    }
    CHECK(worst_rel(s, brute_copod(train, q)) < 1e-6);
}

TEST_CASE("copod matches a brute-force computation across feature chunks and sample tiles") {
    // 200 features = 3 full chunks of 64 and a partial one; 333 samples = 5 full
    // tiles of 64 and a partial one; values on a 1/4 grid for ties, plus a
    // constant feature and a few test values outside the training range.
    Matrix train = random_matrix(150, 200, 21), q = random_matrix(333, 200, 22, 0.4f);
    for (Matrix *m : {&train, &q})
        for (float &v : m->v) v = std::round(v * 4.0f) / 4.0f;
    for (int64_t i = 0; i < train.n; ++i) {
        train.at(i, 7) = 1.0f;
        train.at(i, 100) = std::exp(train.at(i, 100));  // right-skewed
        train.at(i, 101) = -std::exp(train.at(i, 101)); // left-skewed
    }
    q.at(0, 7) = 2.0f;
    q.at(1, 7) = 0.0f;
    q.at(2, 3) = 50.0f;
    q.at(3, 3) = -50.0f;
    const auto s = fit_score(train, q, 2);
    const double w = worst_rel(s, brute_copod(train, q));
    MESSAGE("max relative difference vs brute force: " << w);
    CHECK(w < 1e-6);
}

TEST_CASE("copod is deterministic: 1, 2 or 3 threads and any batch split give the same bits") {
    const Matrix train = random_matrix(700, 90, 31), q = random_matrix(2500, 90, 32, 0.2f);
    const auto a = fit_score(train, q, 1);
    CHECK(bit_identical(a, fit_score(train, q, 2)));
    CHECK(bit_identical(a, fit_score(train, q, 3)));
    Detector det(kCopod, "{}", 2);
    REQUIRE(det.fit(train) == VIGIL_OK);
    REQUIRE(q.n == 2500);
    CHECK(bit_identical(a, scores_in_two_calls(det, q, 100)));
}

TEST_CASE("copod scores a training-like sample low and an out-of-range one high") {
    const Matrix train = random_matrix(500, 20, 41);
    Matrix q = random_matrix(2, 20, 42);
    for (int64_t j = 0; j < 20; ++j) q.at(1, j) = 10.0f;  // above every training value
    const auto s = fit_score(train, q);
    // The outlier is beyond the right end of every feature: G = 1/(N + 1) each,
    // so p_r = 20 ln 501.
    CHECK(s[1] == doctest::Approx(20 * std::log(501.0)).epsilon(1e-6));
    CHECK(s[0] < s[1] / 3);
}

TEST_CASE("copod save/load reproduces scores bit for bit") {
    Matrix train = random_matrix(400, 30, 51);
    for (float &v : train.v) v = std::round(v * 2.0f) / 2.0f;  // runs of equal values
    const Matrix q = random_matrix(100, 30, 52);
    Detector a(kCopod, "{}", 2);
    REQUIRE(a.fit(train) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(a.save(state) == VIGIL_OK);
    Detector b(kCopod, "{}", 1);
    REQUIRE(b.load(state) == VIGIL_OK);
    CHECK(bit_identical(a.scores(q), b.scores(q)));
    std::vector<uint8_t> again;
    REQUIRE(b.save(again) == VIGIL_OK);
    CHECK(again == state);
}

TEST_CASE("copod refuses truncated, padded or corrupt state with VIGIL_ERR_IO") {
    // 3 samples x 2 features: feature 0 {1, 2, 2}, feature 1 {5, 5, 5}.
    Detector det(kCopod, "{}");
    REQUIRE(det.fit(matrix(3, 2, {1, 5, 2, 5, 2, 5})) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(det.save(state) == VIGIL_OK);
    // magic u32, format u32, n i64, d i64, start (u64 + 3 x i64), values (u64 + 3 x f32),
    // counts (u64 + 3 x i32), skewness (u64 + 2 x f64).
    const size_t start_at = 24, values_at = start_at + 8 + 24, counts_at = values_at + 8 + 12,
                 skew_at = counts_at + 8 + 12;
    REQUIRE(state.size() == skew_at + 8 + 16);
    const auto load = [](const std::vector<uint8_t> &s) {
        auto d = std::make_unique<Detector>(kCopod, "{}");
        const vigil_status st = d->load(s);
        return std::make_pair(st, d->host.last_error);
    };
    const auto poke = [&](size_t at, auto value) {
        std::vector<uint8_t> s = state;
        std::memcpy(s.data() + at, &value, sizeof value);
        return load(s);
    };
    for (size_t cut : {size_t(0), size_t(5), values_at + 3, state.size() - 1}) {
        CAPTURE(cut);
        const auto [st, msg] = load(std::vector<uint8_t>(state.begin(), state.begin() + static_cast<long>(cut)));
        CHECK(st == VIGIL_ERR_IO);
        CHECK(msg.find("truncated") != std::string::npos);
    }
    std::vector<uint8_t> padded = state;
    padded.push_back(0);
    CHECK(load(padded).second == "plugin state has trailing bytes");
    CHECK(poke(0, uint32_t(0)).second == "not a copod state (bad magic)");
    CHECK(poke(4, uint32_t(2)).second == "copod state format 2 is not supported (this plugin reads 1)");
    CHECK(poke(8, int64_t(4)).second == "copod state is malformed: counts of feature 0 do not add up to the sample count");
    CHECK(poke(8, int64_t(0)).second == "copod state is malformed: sample count 0");
    CHECK(poke(values_at + 8, 3.0f).second ==
          "copod state is malformed: values of feature 0 are not finite and ascending");
    CHECK(poke(values_at + 8, std::nanf("")).first == VIGIL_ERR_IO);
    CHECK(poke(counts_at + 8, int32_t(0)).second == "copod state is malformed: a count of feature 0 is below 1");
    CHECK(poke(start_at + 8 + 8, int64_t(0)).second == "copod state is malformed: feature 0 has no values");
    CHECK(poke(skew_at + 8, INFINITY * 1.0).second == "copod state is malformed: non-finite skewness");
}

TEST_CASE("copod on degenerate data") {
    SUBCASE("all training samples identical: every feature constant, skewness 0, right tails") {
        Matrix train(30, 4);
        std::fill(train.v.begin(), train.v.end(), 0.25f);
        Matrix q(3, 4);
        q.v = {0.25f, 0.25f, 0.25f, 0.25f,   // like the training data: 0
               1.0f, 1.0f, 0.25f, 0.25f,     // above the constant on two features: 2 ln 31
               -1.0f, -1.0f, -1.0f, -1.0f};  // below it: F = 1/31 on every feature, p_l = 4 ln 31
        const auto s = fit_score(train, q);
        CHECK(s[0] == 0.0f);
        CHECK(s[1] == doctest::Approx(2 * std::log(31.0)).epsilon(1e-6));
        CHECK(s[2] == doctest::Approx(4 * std::log(31.0)).epsilon(1e-6));
    }
    SUBCASE("one training sample") {
        const Matrix train = matrix(1, 3, {1, 2, 3});
        const auto s = fit_score(train, matrix(3, 3, {1, 2, 3, 0, 2, 3, 5, 5, 5}));
        CHECK(s[0] == 0.0f);
        CHECK(s[1] == doctest::Approx(std::log(2.0)).epsilon(1e-6));      // below on one feature: p_l
        CHECK(s[2] == doctest::Approx(3 * std::log(2.0)).epsilon(1e-6));  // above on all three: p_r
    }
    SUBCASE("more features than samples") {
        const Matrix train = random_matrix(4, 300, 61), q = random_matrix(10, 300, 62);
        const auto s = fit_score(train, q);
        for (float v : s) CHECK(std::isfinite(v));
        CHECK(worst_rel(s, brute_copod(train, q)) < 1e-6);
    }
    SUBCASE("an empty batch") {
        Detector det(kCopod, "{}");
        REQUIRE(det.fit(random_matrix(10, 3, 1)) == VIGIL_OK);
        std::vector<float> out;
        CHECK(det.score(Matrix(0, 3), out) == VIGIL_OK);
    }
}

TEST_CASE("copod errors name the problem") {
    check_standard_errors(kCopod, "{}");
    SUBCASE("parameters are refused, even from a host that skips the schema") {
        Detector unknown(kCopod, R"({"contamination": 0.1})");
        CHECK(unknown.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(unknown.host.last_error == "unknown parameter 'contamination' (copod takes no parameters)");
        CHECK(Detector(kCopod, "[]").status == VIGIL_ERR_INVALID_ARGUMENT);
    }
}

TEST_CASE("copod reports progress and stops when cancelled") {
    static std::vector<std::string> labels;
    labels.clear();
    Detector det(kCopod, "{}");
    det.host_table.progress = [](void *, uint64_t done, uint64_t total, const char *label) {
        labels.push_back(std::string(label) + " " + std::to_string(done) + "/" + std::to_string(total));
    };
    REQUIRE(det.fit(random_matrix(50, 300, 1)) == VIGIL_OK);
    REQUIRE(det.scores(random_matrix(2100, 300, 2)).size() == 2100);
    // One thread: a report after every 16 features, then after every 64 samples.
    std::vector<std::string> want;
    for (int j = 16; j < 300; j += 16) want.push_back("copod fit " + std::to_string(j) + "/300");
    want.push_back("copod fit 300/300");
    for (int i = 64; i < 2100; i += 64) want.push_back("copod " + std::to_string(i) + "/2100");
    want.push_back("copod 2100/2100");
    CHECK(labels == want);
    const auto before = det.scores(random_matrix(5, 300, 3));
    det.host.cancel = true;
    CHECK(det.fit(random_matrix(50, 300, 4)) == VIGIL_ERR_CANCELLED);
    CHECK(det.host.last_error == "cancelled by the host");
    std::vector<float> out;
    CHECK(det.score(random_matrix(5, 300, 3), out) == VIGIL_ERR_CANCELLED);
    det.host.cancel = false;
    CHECK(bit_identical(before, det.scores(random_matrix(5, 300, 3))));  // the cancelled fit changed nothing
}
