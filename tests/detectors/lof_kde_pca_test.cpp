// lof_kde_pca_test.cpp — lof, kde and the pca detector against scikit-learn's
// numbers (tests/reference/gen_classic.py), plus what each documents for
// its own parameters: kde's bandwidth rules and cross-validation, lof's k
// capping, pca's component choice.
#include "reference_data.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {

std::vector<float> fit_score(const char *name, const char *params, const Matrix &train, const Matrix &test,
                             std::string *log = nullptr) {
    Detector det(plugin_path(name), params, 2);
    REQUIRE_MESSAGE(det.status == VIGIL_OK, det.host.last_error);
    REQUIRE_MESSAGE(det.fit(train) == VIGIL_OK, det.host.last_error);
    if (log)
        for (const auto &l : det.host.logs) *log += l + "\n";
    return det.scores(test);
}

} // namespace

TEST_CASE("lof matches scikit-learn's LocalOutlierFactor(novelty=True)") {
    const Matrix train = reference_matrix("train"), test = reference_matrix("test");
    const double err = worst_rel(fit_score("lof", R"({"k": 5})", train, test), reference_vector("lof_k5"));
    MESSAGE("lof vs sklearn: max relative difference " << err);
    CHECK(err < 1e-5);
}

TEST_CASE("lof: k at or above the training size is lowered to N - 1 with a warning") {
    const Matrix train = random_matrix(6, 3, 1), test = random_matrix(4, 3, 2);
    std::string log;
    const std::vector<float> capped = fit_score("lof", R"({"k": 50})", train, test, &log);
    CHECK(log.find("using k = 5") != std::string::npos);
    CHECK(capped == fit_score("lof", R"({"k": 5})", train, test));
}

TEST_CASE("lof: duplicated training points give large but finite scores") {
    Matrix train(30, 2);
    for (int64_t i = 0; i < 30; ++i) train.at(i, 0) = train.at(i, 1) = static_cast<float>(i % 3);  // 3 points x 10
    Matrix test(2, 2);
    test.at(0, 0) = test.at(0, 1) = 1.0f;  // on a duplicated point
    test.at(1, 0) = 0.5f;
    const std::vector<float> s = fit_score("lof", R"({"k": 5})", train, test);
    CHECK(std::isfinite(s[0]));
    CHECK(std::isfinite(s[1]));
    CHECK(s[0] == doctest::Approx(1.0));
    CHECK(s[1] > 1e6);  // reach distances of the neighbours are 0: lrd = 1/1e-10 (scikit-learn's guard)
}

TEST_CASE("kde matches scikit-learn's KernelDensity for a given bandwidth and Scott's rule") {
    const Matrix train = reference_matrix("train"), test = reference_matrix("test");
    const double e1 = worst_rel(fit_score("kde", R"({"bandwidth": 0.8})", train, test), reference_vector("kde_h0.8"));
    const double e2 = worst_rel(fit_score("kde", R"({"bandwidth": "scott"})", train, test), reference_vector("kde_scott"));
    MESSAGE("kde vs sklearn: max relative difference " << e1 << " (h = 0.8), " << e2 << " (scott)");
    CHECK(e1 < 1e-5);
    CHECK(e2 < 1e-5);
}

TEST_CASE("kde: far points and tiny bandwidths stay finite (log-sum-exp relative to the nearest)") {
    const Matrix train = random_matrix(50, 3, 1);
    Matrix test(1, 3);
    for (float &v : test.v) v = 1e3f;
    const std::vector<float> s = fit_score("kde", R"({"bandwidth": 0.001})", train, test);
    REQUIRE(std::isfinite(s[0]));
    // −log p̂ ≈ d²_min / 2h² + log N + (D/2) log(2πh²), dominated by the first term ~ 1.5e12.
    CHECK(s[0] > 1e11);
}

TEST_CASE("kde: cross-validated bandwidth picks the best of the grid and logs the scores") {
    // Data with spread 1 per feature: of {0.01, 1, 100}, h = 1 has by far the best held-out likelihood.
    const Matrix train = random_matrix(200, 2, 3), test = random_matrix(5, 2, 4);
    std::string log;
    const std::vector<float> cv = fit_score("kde", R"({"bandwidth": "cv", "grid": [0.01, 1, 100], "folds": 4})", train,
                                            test, &log);
    CHECK(log.find("bandwidth 1 chosen by 4-fold cross-validation") != std::string::npos);
    CHECK(cv == fit_score("kde", R"({"bandwidth": 1})", train, test));
    Detector few(plugin_path("kde"), R"({"bandwidth": "cv", "folds": 5})", 1);
    CHECK(few.fit(random_matrix(3, 2, 1)) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(few.host.last_error.find("at least as many training samples as folds") != std::string::npos);
}

TEST_CASE("pca detector matches scikit-learn's PCA reconstruction error") {
    const Matrix train = reference_matrix("train"), test = reference_matrix("test");
    const double e1 = worst_rel(fit_score("pca", R"({"components": 2})", train, test), reference_vector("pca_c2"));
    const double e2 = worst_rel(fit_score("pca", R"({"variance": 0.9})", train, test), reference_vector("pca_v0.9"));
    MESSAGE("pca vs sklearn: max relative difference " << e1 << " (2 components), " << e2 << " (variance 0.9, k = "
                                                       << classic_reference().at("pca_v0.9_k") << ")");
    CHECK(e1 < 1e-4);
    CHECK(e2 < 1e-4);
}

TEST_CASE("pca detector: all components reconstruct exactly; too many components is an error") {
    const Matrix train = random_matrix(100, 5, 1), test = random_matrix(10, 5, 2);
    for (float s : fit_score("pca", R"({"components": 5})", train, test)) CHECK(s < 1e-8);
    Detector det(plugin_path("pca"), R"({"components": 6})", 1);
    CHECK(det.fit(train) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(det.host.last_error == "components = 6 exceeds the 5 features of the training samples");
}
