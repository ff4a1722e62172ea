// iforest_test.cpp — the iforest detector (vigil-iforest-cpu.so, through the
// C ABI): c(n) against scikit-learn's values, forests whose shape is forced
// (so their scores are known by hand and equal scikit-learn's), planted
// outliers, reproducibility (seed, threads, batch split), save/load, corrupt
// state, degenerate data and every error path.
#include "detector_support.hpp"

#include "plugins/detectors/iforest/scorer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace vigil::test;

namespace {

const std::string kIforest = plugin_path("iforest");

Matrix column(const std::vector<float> &v) {
    Matrix m(static_cast<int64_t>(v.size()), 1);
    m.v = v;
    return m;
}

// AUROC of scores with labels 1 = anomaly (ties count one half).
double auroc(const std::vector<float> &s, const std::vector<int> &y) {
    double pairs = 0, wins = 0;
    for (size_t i = 0; i < s.size(); ++i)
        for (size_t j = 0; j < s.size(); ++j)
            if (y[i] == 1 && y[j] == 0) {
                pairs += 1;
                wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
            }
    return wins / pairs;
}

// A Gaussian cloud (seed `seed`) plus `outliers` rows shifted by 6 in every feature.
Matrix planted(int64_t inliers, int64_t outliers, int64_t d, uint64_t seed) {
    Matrix a = random_matrix(inliers, d, seed), b = random_matrix(outliers, d, seed + 1000, 6.0f);
    Matrix m(inliers + outliers, d);
    std::copy(a.v.begin(), a.v.end(), m.v.begin());
    std::copy(b.v.begin(), b.v.end(), m.v.begin() + a.v.size());
    return m;
}

// Fit with host seed `seed` and `threads`, score q.
std::vector<float> fit_score(const std::string &params, const Matrix &train, const Matrix &q, uint64_t seed,
                             uint32_t threads = 1) {
    Detector det(kIforest, params, threads);
    REQUIRE(det.status == VIGIL_OK);
    det.host_table.seed = seed;  // the plugin reads the seed at fit
    REQUIRE(det.fit(train) == VIGIL_OK);
    return det.scores(q);
}

} // namespace

TEST_CASE("iforest descriptor: a cpu detector that always runs") {
    PluginSo so(kIforest);
    CHECK(std::string(so.desc().name) == "iforest");
    CHECK(so.desc().kind == VIGIL_KIND_DETECTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    std::string why;
    CHECK(probe(so, why) == 100);
    CHECK(why.empty());
    const auto schema = nlohmann::json::parse(so.desc().params_schema);
    CHECK(schema["properties"]["trees"]["default"] == 100);
    CHECK(schema["properties"]["max_samples"]["default"] == 256);
    CHECK(schema["properties"]["max_features"]["default"] == 1.0);
}

TEST_CASE("iforest c(n) is scikit-learn 1.2's _average_path_length") {
    // Values printed by sklearn.ensemble._iforest._average_path_length([n]).
    using vigil::iforest::average_path_length;
    CHECK(average_path_length(0) == 0.0);
    CHECK(average_path_length(1) == 0.0);
    CHECK(average_path_length(2) == 1.0);  // not 2γ − 1: the 2012 paper's and sklearn's c(2)
    CHECK(average_path_length(3) == doctest::Approx(1.207392357589623).epsilon(1e-14));
    CHECK(average_path_length(4) == doctest::Approx(1.8516559071392846).epsilon(1e-14));
    CHECK(average_path_length(5) == doctest::Approx(2.327020052042847).epsilon(1e-14));
    CHECK(average_path_length(256) == doctest::Approx(10.244770920119917).epsilon(1e-14));
    CHECK(average_path_length(6000) == doctest::Approx(16.553460798442586).epsilon(1e-14));
}

TEST_CASE("iforest on forests of forced shape: scores by hand, equal to scikit-learn's") {
    // Training {0, 0, 0, 10}: ψ = 4, height limit 2. Whatever the seed, the root
    // splits 10 from the three zeros (v uniform in (0, 10]), the zeros' node is
    // constant: external at depth 1 with size 3. So h(0) = 1 + c(3), h(10) = 1 + c(1) = 1,
    // and s = 2^(−h / c(4)). sklearn's −score_samples gives 0.43765986316299915
    // and 0.6877436677788326 (any random_state).
    using vigil::iforest::average_path_length;
    const double c3 = average_path_length(3), c4 = average_path_length(4);
    const Matrix q = column({0.0f, 10.0f, -5.0f, 50.0f});
    for (const char *params : {R"({"trees": 1})", R"({"trees": 37})"}) {
        CAPTURE(std::string(params));
        for (uint64_t seed : {0u, 1u, 99u}) {
            const auto s = fit_score(params, column({0.0f, 0.0f, 0.0f, 10.0f}), q, seed);
            CHECK(s[0] == doctest::Approx(std::exp2(-(1.0 + c3) / c4)).epsilon(1e-6));
            CHECK(s[0] == doctest::Approx(0.43765986316299915).epsilon(1e-6));
            CHECK(s[1] == doctest::Approx(0.6877436677788326).epsilon(1e-6));
            CHECK(s[2] == s[0]);  // below every split value: the zeros' leaf
            CHECK(s[3] == s[1]);
        }
    }
    // Training {0, 0, 10}: h(0) = 1 + c(2) = 2 — this pins c(2) = 1 (with the
    // paper's eq. 1, 2γ − 1, it would be 0.3899…). sklearn: 0.3172160416207152, 0.5632193547994557.
    const auto s = fit_score(R"({"trees": 5})", column({0.0f, 0.0f, 10.0f}), column({0.0f, 10.0f}), 3);
    CHECK(s[0] == doctest::Approx(0.3172160416207152).epsilon(1e-6));
    CHECK(s[1] == doctest::Approx(0.5632193547994557).epsilon(1e-6));
}

TEST_CASE("iforest: a split only ever uses a feature that varies in the node") {
    // Feature 0 is constant, feature 1 separates two groups: every tree must
    // split on feature 1, so the score depends on x1 alone, whatever x0 is.
    Matrix train(4, 2);
    train.v = {7, 0, 7, 0, 7, 0, 7, 10};
    Matrix q(3, 2);
    q.v = {7, 10, -100, 10, 1e6f, 10};
    const auto s = fit_score(R"({"trees": 20})", train, q, 5);
    CHECK(s[0] == doctest::Approx(0.6877436677788326).epsilon(1e-6));
    CHECK(s[1] == s[0]);
    CHECK(s[2] == s[0]);
}

TEST_CASE("iforest ranks planted outliers above the inliers") {
    const Matrix train = planted(500, 0, 8, 1);
    const Matrix q = planted(300, 20, 8, 2);
    std::vector<int> y(320, 0);
    std::fill(y.begin() + 300, y.end(), 1);
    for (uint64_t seed : {0u, 1u, 2u}) {
        const auto s = fit_score("{}", train, q, seed, 2);
        for (float v : s) {
            CHECK(v > 0.0f);
            CHECK(v <= 1.0f);
        }
        const double a = auroc(s, y);
        MESSAGE("seed " << seed << ": AUROC " << a << ", lowest outlier score " << *std::min_element(s.begin() + 300, s.end())
                        << ", highest inlier score " << *std::max_element(s.begin(), s.begin() + 300));
        CHECK(a == 1.0);
    }
}

TEST_CASE("iforest is reproducible: same seed same bits, other seed other scores, any thread count or batch split") {
    const Matrix train = random_matrix(1500, 30, 3), q = random_matrix(700, 30, 4, 0.3f);
    const std::string params = R"({"trees": 60, "max_samples": 128, "max_features": 0.5})";
    const auto a = fit_score(params, train, q, 7, 1);
    CHECK(bit_identical(a, fit_score(params, train, q, 7, 1)));
    CHECK(bit_identical(a, fit_score(params, train, q, 7, 2)));
    CHECK(bit_identical(a, fit_score(params, train, q, 7, 3)));
    const auto b = fit_score(params, train, q, 8, 1);
    CHECK_FALSE(bit_identical(a, b));
    size_t differ = 0;
    for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
    CHECK(differ > a.size() / 2);
    // Batch split: the first 250 and the remaining 450 scored separately.
    Detector det(kIforest, params, 2);
    det.host_table.seed = 7;
    REQUIRE(det.fit(train) == VIGIL_OK);
    REQUIRE(q.n == 700);
    CHECK(bit_identical(a, scores_in_two_calls(det, q, 250)));
}

TEST_CASE("iforest parameters change the forest: max_features and max_samples") {
    const Matrix train = random_matrix(600, 12, 5), q = random_matrix(100, 12, 6);
    const auto all = fit_score(R"({"trees": 30})", train, q, 1);
    CHECK_FALSE(bit_identical(all, fit_score(R"({"trees": 30, "max_features": 0.25})", train, q, 1)));
    CHECK_FALSE(bit_identical(all, fit_score(R"({"trees": 30, "max_samples": 64})", train, q, 1)));
    // max_samples above N means N (sklearn warns and does the same); the log says so.
    Detector det(kIforest, R"({"trees": 3, "max_samples": 100000})");
    REQUIRE(det.fit(train) == VIGIL_OK);
    REQUIRE_FALSE(det.host.logs.empty());
    CHECK(det.host.logs.back().find("psi = 600 of 600 samples") != std::string::npos);
    CHECK(det.host.logs.back().find("height limit 10") != std::string::npos);
}

TEST_CASE("iforest save/load reproduces scores bit for bit") {
    const Matrix train = random_matrix(800, 16, 9), q = random_matrix(300, 16, 10, 0.5f);
    Detector a(kIforest, R"({"trees": 40})", 2);
    a.host_table.seed = 11;
    REQUIRE(a.fit(train) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(a.save(state) == VIGIL_OK);
    Detector b(kIforest, R"({"trees": 40})", 1);
    b.host_table.seed = 12345;  // the seed only matters for fitting
    REQUIRE(b.load(state) == VIGIL_OK);
    CHECK(bit_identical(a.scores(q), b.scores(q)));
    std::vector<uint8_t> again;
    REQUIRE(b.save(again) == VIGIL_OK);
    CHECK(again == state);
}

TEST_CASE("iforest refuses truncated, padded or corrupt state with VIGIL_ERR_IO") {
    Detector det(kIforest, R"({"trees": 4})");
    REQUIRE(det.fit(random_matrix(50, 3, 1)) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(det.save(state) == VIGIL_OK);
    // Layout: magic u32, format u32, d i64, psi i64, offsets (u64 count + i64s), nodes (u64 count + 12-byte nodes).
    const size_t offsets_at = 4 + 4 + 8 + 8, nodes_at = offsets_at + 8 + 5 * 8;
    const auto load = [](const std::vector<uint8_t> &s) {
        auto d = std::make_unique<Detector>(kIforest, R"({"trees": 4})");
        const vigil_status st = d->load(s);
        return std::make_pair(st, d->host.last_error);
    };
    for (size_t cut : {size_t(0), size_t(3), size_t(9), nodes_at + 4, state.size() - 1}) {
        CAPTURE(cut);
        const auto [st, msg] = load(std::vector<uint8_t>(state.begin(), state.begin() + static_cast<long>(cut)));
        CHECK(st == VIGIL_ERR_IO);
        CHECK(msg.find("truncated") != std::string::npos);
    }
    std::vector<uint8_t> padded = state;
    padded.push_back(0);
    CHECK(load(padded) == std::make_pair(vigil_status(VIGIL_ERR_IO), std::string("plugin state has trailing bytes")));
    std::vector<uint8_t> magic = state;
    magic[0] ^= 0xff;
    CHECK(load(magic) == std::make_pair(vigil_status(VIGIL_ERR_IO), std::string("not an iforest state (bad magic)")));
    std::vector<uint8_t> format = state;
    format[4] = 9;
    CHECK(load(format).second == "iforest state format 9 is not supported (this plugin reads 1)");
    // The root of tree 0 sends samples to a child outside the tree (or to itself).
    vigil::iforest::Node root{};
    std::memcpy(&root, state.data() + nodes_at + 8, sizeof root);
    REQUIRE(root.feature >= 0);  // 50 random samples: the root is split
    for (int32_t bad_left : {0, 100000, -3}) {
        std::vector<uint8_t> s = state;
        vigil::iforest::Node r = root;
        r.left = bad_left;
        std::memcpy(s.data() + nodes_at + 8, &r, sizeof r);
        const auto [st, msg] = load(s);
        CHECK(st == VIGIL_ERR_IO);
        CHECK(msg == "iforest state is malformed: node 0 of tree 0 points outside its tree");
    }
    std::vector<uint8_t> feat = state;
    vigil::iforest::Node r = root;
    r.feature = 3;  // d = 3: out of range
    std::memcpy(feat.data() + nodes_at + 8, &r, sizeof r);
    CHECK(load(feat).first == VIGIL_ERR_IO);
    std::vector<uint8_t> nan = state;
    r = root;
    r.value = std::nanf("");
    std::memcpy(nan.data() + nodes_at + 8, &r, sizeof r);
    CHECK(load(nan).second == "iforest state is malformed: non-finite value in tree 0");
    std::vector<uint8_t> offs = state;
    const int64_t big = 1 << 20;
    std::memcpy(offs.data() + offsets_at + 8 + 8, &big, sizeof big);  // tree 1 starts past the end
    CHECK(load(offs).first == VIGIL_ERR_IO);
}

TEST_CASE("iforest on degenerate data: identical samples, one sample, more features than samples") {
    SUBCASE("all training samples identical: the root cannot split, every sample scores 0.5") {
        Matrix train(40, 5);
        std::fill(train.v.begin(), train.v.end(), 2.5f);
        const auto s = fit_score("{}", train, random_matrix(20, 5, 1), 0);
        for (float v : s) CHECK(v == 0.5f);
    }
    SUBCASE("one training sample: c(1) = 0, every sample scores 0.5 (as scikit-learn)") {
        const auto s = fit_score("{}", random_matrix(1, 7, 2), random_matrix(10, 7, 3), 0);
        for (float v : s) CHECK(v == 0.5f);
    }
    SUBCASE("two training samples: c(2) = 1 and every leaf is at depth 1, so 0.5 again") {
        const auto s = fit_score("{}", random_matrix(2, 3, 4), random_matrix(10, 3, 5), 0);
        for (float v : s) CHECK(v == 0.5f);
    }
    SUBCASE("more features than samples") {
        const Matrix train = random_matrix(6, 500, 6);
        const auto s = fit_score(R"({"trees": 50})", train, random_matrix(30, 500, 7, 3.0f), 0);
        for (float v : s) {
            CHECK(std::isfinite(v));
            CHECK(v > 0.0f);
            CHECK(v <= 1.0f);
        }
        const auto own = fit_score(R"({"trees": 50})", train, train, 0);
        CHECK(*std::max_element(own.begin(), own.end()) < *std::max_element(s.begin(), s.end()));
    }
    SUBCASE("an empty batch") {
        Detector det(kIforest, "{}");
        REQUIRE(det.fit(random_matrix(10, 3, 1)) == VIGIL_OK);
        std::vector<float> out;
        CHECK(det.score(Matrix(0, 3), out) == VIGIL_OK);
    }
}

TEST_CASE("iforest errors name the problem") {
    check_standard_errors(kIforest, "{}");
    SUBCASE("bad parameters are refused at create, even from a host that skips the schema") {
        CHECK(Detector(kIforest, R"({"trees": 0})").status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(Detector(kIforest, R"({"trees": 2.5})").status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(Detector(kIforest, R"({"max_samples": 0})").status == VIGIL_ERR_INVALID_ARGUMENT);
        Detector mf(kIforest, R"({"max_features": 0})");
        CHECK(mf.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(mf.host.last_error == "parameter max_features must be a number in (0, 1], got 0");
        CHECK(Detector(kIforest, R"({"max_features": 1.5})").status == VIGIL_ERR_INVALID_ARGUMENT);
        Detector unknown(kIforest, R"({"n_estimators": 5})");
        CHECK(unknown.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(unknown.host.last_error ==
              "unknown parameter 'n_estimators' (iforest takes trees, max_samples, max_features)");
    }
}

TEST_CASE("iforest reports progress and stops when cancelled") {
    static std::vector<std::string> labels;
    labels.clear();
    Detector det(kIforest, R"({"trees": 40})");
    det.host_table.progress = [](void *, uint64_t done, uint64_t total, const char *label) {
        labels.push_back(std::string(label) + " " + std::to_string(done) + "/" + std::to_string(total));
    };
    REQUIRE(det.fit(random_matrix(100, 4, 1)) == VIGIL_OK);
    REQUIRE(det.scores(random_matrix(3000, 4, 2)).size() == 3000);
    // One thread: a report after every tree, then after every tile of 64 samples.
    std::vector<std::string> want;
    for (int t = 1; t <= 40; ++t) want.push_back("iforest fit " + std::to_string(t) + "/40");
    for (int i = 64; i < 3000; i += 64) want.push_back("iforest " + std::to_string(i) + "/3000");
    want.push_back("iforest 3000/3000");
    CHECK(labels == want);
    const auto before = det.scores(random_matrix(5, 4, 3));
    det.host.cancel = true;
    CHECK(det.fit(random_matrix(100, 4, 4)) == VIGIL_ERR_CANCELLED);
    CHECK(det.host.last_error == "cancelled by the host");
    std::vector<float> out;
    CHECK(det.score(random_matrix(5, 4, 3), out) == VIGIL_ERR_CANCELLED);
    det.host.cancel = false;
    CHECK(bit_identical(before, det.scores(random_matrix(5, 4, 3))));  // the cancelled fit changed nothing
}
