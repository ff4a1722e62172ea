// mahalanobis_test.cpp — the mahalanobis detector against a direct
// double-precision (x − μ)ᵀ Σ⁻¹ (x − μ) on well-conditioned data, single and
// class-conditional (shared covariance, min over classes); round trip; errors.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <cmath>
#include <cstring>
#include <map>

using namespace vigil;

namespace {

// Correlated data: x = A g + class offset, g ~ N(0, I).
Tensor correlated(int64_t n, int64_t d, uint64_t seed, std::vector<int32_t> *labels = nullptr, int classes = 1) {
    Tensor g = test::random_tensor(n, d, seed);
    Tensor x(VIGIL_DTYPE_FLOAT32, {n, d});
    for (int64_t i = 0; i < n; ++i) {
        const int c = static_cast<int>(i % classes);
        if (labels) labels->push_back(c);
        for (int64_t j = 0; j < d; ++j) {
            float v = g.data<float>()[i * d + j] + 0.5f * g.data<float>()[i * d + (j + 1) % d];
            x.data<float>()[i * d + j] = v + 4.0f * c * (j == c ? 1.0f : 0.0f);
        }
    }
    return x;
}

std::vector<double> direct(const Tensor &train, const std::vector<int32_t> &y, const Tensor &q) {
    const int64_t n = train.samples(), d = train.sample_size();
    Eigen::MatrixXd x(n, d);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) x(i, j) = train.data<float>()[i * d + j];
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
    const Eigen::MatrixXd prec = ((xc.transpose() * xc) / double(n)).inverse();
    std::vector<double> out;
    for (int64_t i = 0; i < q.samples(); ++i) {
        Eigen::RowVectorXd v(d);
        for (int64_t j = 0; j < d; ++j) v[j] = q.data<float>()[i * d + j];
        double best = 1e300;
        for (auto &[c, m] : mu) best = std::min(best, double((v - m) * prec * (v - m).transpose()));
        out.push_back(best);
    }
    return out;
}

double worst_rel(const std::vector<float> &a, const std::vector<double> &b) {
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i) w = std::max(w, std::abs(a[i] - b[i]) / std::max(1.0, b[i]));
    return w;
}

} // namespace

TEST_CASE("single Gaussian matches the direct computation") {
    const Tensor train = correlated(2000, 12, 1), q = correlated(300, 12, 2);
    auto det = test::detector("mahalanobis", {{"mode", "single"}});
    det->fit(train, nullptr);
    CHECK(worst_rel(det->score(q), direct(train, std::vector<int32_t>(2000, 0), q)) < 1e-4);
}

TEST_CASE("class-conditional Gaussians with a shared covariance take the min over classes") {
    std::vector<int32_t> y;
    const Tensor train = correlated(3000, 10, 3, &y, 3), q = correlated(400, 10, 4, nullptr, 3);
    auto det = test::detector("mahalanobis", {{"mode", "class_conditional"}});
    const Tensor copy = train;
    det->fit(copy, &y);
    const auto s = det->score(q);
    CHECK(worst_rel(s, direct(train, y, q)) < 1e-4);
    // Scores differ from the single-Gaussian ones (the classes are separated).
    auto single = test::detector("mahalanobis", {{"mode", "single"}});
    single->fit(train, nullptr);
    CHECK(worst_rel(single->score(q), direct(train, y, q)) > 0.05);
}

TEST_CASE("mahalanobis save/load reproduces scores bit for bit") {
    const Tensor train = correlated(500, 8, 5), q = correlated(100, 8, 6);
    auto a = test::detector("mahalanobis", nlohmann::json::object());
    a->fit(train, nullptr);
    auto b = test::detector("mahalanobis", nlohmann::json::object());
    b->load(a->save());
    const auto sa = a->score(q), sb = b->score(q);
    CHECK(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)) == 0);
}

TEST_CASE("degenerate data and misuse give clear errors") {
    auto cc = test::detector("mahalanobis", {{"mode", "class_conditional"}});
    CHECK(test::error_of([&] { cc->fit(correlated(50, 4, 7), nullptr); }).find("needs training labels") != std::string::npos);
    Tensor same(VIGIL_DTYPE_FLOAT32, {20, 4});
    std::fill(same.data<float>(), same.data<float>() + 80, 3.0f);
    auto det = test::detector("mahalanobis", nlohmann::json::object());
    CHECK(test::error_of([&] { det->fit(same, nullptr); }).find("all samples identical") != std::string::npos);
    CHECK(test::error_of([&] { det->fit(test::random_tensor(1, 4, 8), nullptr); }).find("at least 2 training samples") !=
          std::string::npos);
}

TEST_CASE("a singular covariance is pseudo-inverted: constant features are ignored") {
    // Feature 3 is constant (like a border pixel): pinv drops that direction.
    Tensor train = correlated(400, 4, 9), q = correlated(50, 4, 10);
    for (int64_t i = 0; i < 400; ++i) train.data<float>()[i * 4 + 3] = 1.0f;
    auto det = test::detector("mahalanobis", nlohmann::json::object());
    det->fit(train, nullptr);
    const auto a = det->score(q);
    for (int64_t i = 0; i < 50; ++i) q.data<float>()[i * 4 + 3] = 1.0f;
    const auto b = det->score(q);
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-5));
}
