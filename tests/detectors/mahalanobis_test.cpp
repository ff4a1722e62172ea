// mahalanobis_test.cpp — the mahalanobis detector (vigil-mahalanobis-cpu.so,
// through the C ABI) against a direct double-precision (x − μ)ᵀ Σ⁻¹ (x − μ)
// computed with Eigen on well-conditioned data: single Gaussian,
// class-conditional with a shared covariance over 3 classes (min over
// classes), shrinkage, the pseudo-inverse of a singular covariance; save/load
// round trip and error paths.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <cmath>
#include <cstring>
#include <map>

using namespace vigil::test;

namespace {

const std::string kMaha = plugin_path("mahalanobis");

// Correlated data: x_j = g_j + 0.5 g_{j+1 mod d} + 4·c·[j == c], g ~ N(0, I),
// class c = i mod classes (so the classes are separated along axes 1, 2, ...).
Matrix correlated(int64_t n, int64_t d, uint64_t seed, std::vector<int32_t> *labels = nullptr, int classes = 1) {
    const Matrix g = random_matrix(n, d, seed);
    Matrix x(n, d);
    for (int64_t i = 0; i < n; ++i) {
        const int c = static_cast<int>(i % classes);
        if (labels) labels->push_back(c);
        for (int64_t j = 0; j < d; ++j)
            x.at(i, j) = g.at(i, j) + 0.5f * g.at(i, (j + 1) % d) + (j == c ? 4.0f * c : 0.0f);
    }
    return x;
}

// min_c (x − μ_c)ᵀ P (x − μ_c) with P = (Σ + shrink·tr(Σ)/D·I)⁻¹ (a plain inverse:
// the data are well conditioned), Σ the shared (1/N) covariance around class means.
std::vector<double> direct(const Matrix &train, const std::vector<int32_t> &y, const Matrix &q, double shrink = 0) {
    const int64_t n = train.n, d = train.d;
    Eigen::MatrixXd x(n, d);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) x(i, j) = train.at(i, j);
    std::map<int32_t, Eigen::RowVectorXd> mu;
    std::map<int32_t, int> cnt;
    for (int64_t i = 0; i < n; ++i) {
        if (!mu.count(y[i])) mu[y[i]] = Eigen::RowVectorXd::Zero(d);
        mu[y[i]] += x.row(i);
        ++cnt[y[i]];
    }
    for (auto &[c, m] : mu) m /= cnt[c];
    Eigen::MatrixXd xc = x;
    for (int64_t i = 0; i < n; ++i) xc.row(i) -= mu[y[i]];
    Eigen::MatrixXd cov = (xc.transpose() * xc) / double(n);
    cov.diagonal().array() += shrink * cov.trace() / double(d);
    const Eigen::MatrixXd prec = cov.inverse();
    std::vector<double> out;
    for (int64_t i = 0; i < q.n; ++i) {
        Eigen::RowVectorXd v(d);
        for (int64_t j = 0; j < d; ++j) v[j] = q.at(i, j);
        double best = 1e300;
        for (auto &[c, m] : mu) best = std::min(best, double((v - m) * prec * (v - m).transpose()));
        out.push_back(best);
    }
    return out;
}

} // namespace

TEST_CASE("mahalanobis descriptor: a cpu detector that always runs") {
    PluginSo so(kMaha);
    CHECK(std::string(so.desc().name) == "mahalanobis");
    CHECK(so.desc().kind == VIGIL_KIND_DETECTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    std::string why;
    CHECK(probe(so, why) == 100);
}

TEST_CASE("single Gaussian matches the direct double computation") {
    // Scores are ~D = 12 (chi-squared) up to ~100 for the tails; float W and z
    // carry ~1e-7 relative error each: tolerance 1e-4 relative.
    const Matrix train = correlated(2000, 12, 1), q = correlated(300, 12, 2);
    Detector det(kMaha, R"({"mode": "single"})");
    REQUIRE(det.status == VIGIL_OK);
    REQUIRE(det.fit(train) == VIGIL_OK);
    const double err = worst_rel(det.scores(q), direct(train, std::vector<int32_t>(2000, 0), q));
    MESSAGE("single: max relative error vs direct double computation " << err);
    CHECK(err < 1e-4);
}

TEST_CASE("the mean is removed before the GEMM: data far from the origin lose no accuracy") {
    Matrix train = correlated(1000, 8, 11), q = correlated(200, 8, 12);
    for (float &v : train.v) v += 1000.0f;
    for (float &v : q.v) v += 1000.0f;
    Detector det(kMaha, "{}");
    REQUIRE(det.fit(train) == VIGIL_OK);
    const double err = worst_rel(det.scores(q), direct(train, std::vector<int32_t>(1000, 0), q));
    MESSAGE("offset 1000: max relative error " << err);
    CHECK(err < 1e-4);  // expanding around the origin instead would lose ~1e6 * 6e-8 in each term
}

TEST_CASE("class-conditional Gaussians with a shared covariance take the min over 3 classes") {
    std::vector<int32_t> y;
    const Matrix train = correlated(3000, 10, 3, &y, 3), q = correlated(400, 10, 4, nullptr, 3);
    Detector det(kMaha, R"({"mode": "class_conditional"})");
    REQUIRE(det.fit(train, &y) == VIGIL_OK);
    const auto s = det.scores(q);
    const double err = worst_rel(s, direct(train, y, q));
    MESSAGE("class_conditional: max relative error vs direct double computation " << err);
    CHECK(err < 1e-4);
    // The single Gaussian gives other scores (the classes are separated).
    Detector single(kMaha, R"({"mode": "single"})");
    REQUIRE(single.fit(train, &y) == VIGIL_OK);  // labels are ignored in single mode
    CHECK(worst_rel(single.scores(q), direct(train, y, q)) > 0.05);
    CHECK(det.host.logs.back() == "kept 10 of 10 covariance directions, 3 class(es)");
}

TEST_CASE("shrinkage adds shrinkage * trace / D to the covariance diagonal") {
    const Matrix train = correlated(800, 6, 13), q = correlated(100, 6, 14);
    Detector det(kMaha, R"({"shrinkage": 0.25})");
    REQUIRE(det.fit(train) == VIGIL_OK);
    CHECK(worst_rel(det.scores(q), direct(train, std::vector<int32_t>(800, 0), q, 0.25)) < 1e-4);
}

TEST_CASE("a singular covariance is pseudo-inverted: constant and duplicated features are ignored") {
    // Feature 3 is constant (like a border pixel) and feature 4 repeats feature 0:
    // pinvh drops both null directions; the score equals the full-rank score on features 0..2.
    const Matrix base = correlated(400, 3, 9), qbase = correlated(50, 3, 10);
    auto widen = [](const Matrix &m) {
        Matrix w(m.n, 5);
        for (int64_t i = 0; i < m.n; ++i) {
            for (int64_t j = 0; j < 3; ++j) w.at(i, j) = m.at(i, j);
            w.at(i, 3) = 1.0f;
            w.at(i, 4) = m.at(i, 0);
        }
        return w;
    };
    Detector det(kMaha, "{}");
    REQUIRE(det.fit(widen(base)) == VIGIL_OK);
    CHECK(det.host.logs.back() == "kept 3 of 5 covariance directions, 1 class(es)");
    const double err = worst_rel(det.scores(widen(qbase)), direct(base, std::vector<int32_t>(400, 0), qbase));
    MESSAGE("rank-deficient: max relative error vs the full-rank 3-feature computation " << err);
    CHECK(err < 1e-4);
    // A larger rcond drops more directions.
    Detector coarse(kMaha, R"({"rcond": 0.5})");
    REQUIRE(coarse.fit(widen(base)) == VIGIL_OK);
    CHECK(coarse.host.logs.back().find("kept 3 of 5") == std::string::npos);
}

TEST_CASE("mahalanobis save/load reproduces scores bit for bit") {
    std::vector<int32_t> y;
    const Matrix train = correlated(500, 8, 5, &y, 3), q = correlated(100, 8, 6);
    for (const char *params : {"{}", R"({"mode": "class_conditional"})"}) {
        CAPTURE(params);
        Detector a(kMaha, params);
        REQUIRE(a.fit(train, &y) == VIGIL_OK);
        std::vector<uint8_t> state;
        REQUIRE(a.save(state) == VIGIL_OK);
        Detector b(kMaha, "{}");  // the state carries everything, the mode included
        REQUIRE(b.load(state) == VIGIL_OK);
        const auto sa = a.scores(q), sb = b.scores(q);
        CHECK(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("mahalanobis: misuse and degenerate data give clear errors") {
    SUBCASE("class_conditional without labels") {
        Detector cc(kMaha, R"({"mode": "class_conditional"})");
        CHECK(cc.fit(correlated(50, 4, 7)) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(cc.host.last_error == "mode class_conditional needs training labels (the training data has none)");
    }
    SUBCASE("identical samples, one sample") {
        Matrix same(20, 4);
        std::fill(same.v.begin(), same.v.end(), 3.0f);
        Detector det(kMaha, "{}");
        CHECK(det.fit(same) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error.find("all samples identical") != std::string::npos);
        CHECK(det.fit(random_matrix(1, 4, 8)) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "needs at least 2 training samples, got 1");
    }
    SUBCASE("score before fit, wrong feature count, non-finite input") {
        Detector det(kMaha, "{}");
        std::vector<float> out;
        CHECK(det.score(correlated(5, 4, 1), out) == VIGIL_ERR_STATE);
        REQUIRE(det.fit(correlated(50, 4, 1)) == VIGIL_OK);
        CHECK(det.score(correlated(5, 3, 1), out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "samples have 3 features, but the model was fitted on 4");
        Matrix bad = correlated(5, 4, 2);
        bad.at(3, 2) = std::nanf("");
        CHECK(det.score(bad, out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "scoring data: non-finite value (NaN or Inf) in sample 3, element 2");
        CHECK(det.fit(bad) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "training data: non-finite value (NaN or Inf) in sample 3, element 2");
    }
    SUBCASE("truncated or padded state") {
        Detector det(kMaha, "{}");
        REQUIRE(det.fit(correlated(50, 4, 1)) == VIGIL_OK);
        std::vector<uint8_t> state;
        REQUIRE(det.save(state) == VIGIL_OK);
        for (size_t cut : {size_t(3), size_t(16), state.size() - 1}) {
            CAPTURE(cut);
            Detector fresh(kMaha, "{}");
            CHECK(fresh.load(std::vector<uint8_t>(state.begin(), state.begin() + static_cast<long>(cut))) == VIGIL_ERR_IO);
        }
        state.push_back(7);
        Detector fresh(kMaha, "{}");
        CHECK(fresh.load(state) == VIGIL_ERR_IO);
    }
    SUBCASE("bad parameters") {
        Detector mode(kMaha, R"({"mode": "mixture"})");
        CHECK(mode.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(mode.host.last_error == R"(parameter mode must be one of "single", "class_conditional", got "mixture")");
        Detector neg(kMaha, R"({"shrinkage": -1})");
        CHECK(neg.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(neg.host.last_error == "parameter shrinkage must be a number in [0, inf], got -1");
        CHECK(Detector(kMaha, R"({"covariance": "full"})").status == VIGIL_ERR_INVALID_ARGUMENT);
    }
}
