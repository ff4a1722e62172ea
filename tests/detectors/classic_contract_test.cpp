// classic_contract_test.cpp — what every classic detector plugin promises,
// checked for each one through the raw C ABI with the same code:
//  * fit → score → save → load into a fresh object → identical scores (bit for bit);
//  * a planted outlier scores above every normal test point;
//  * degenerate data never yields NaN: all-identical training samples, a
//    single sample, more features than samples, NaN/Inf inputs — each gives
//    finite scores or a clear error (a status and a message), as documented
//    in the plugin's header comment;
//  * score before fit, wrong feature count and truncated state are clean errors.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {

struct Case {
    const char *name;
    const char *params;          // used everywhere below
    bool single_sample_fits;     // documented: one training sample is accepted
    bool identical_fits;         // documented: all-identical training samples are accepted
};

// Parameters keep each run small and, for randomised methods, seeded by the host.
const Case kCases[] = {
    {"knn", R"({"k": 3})", false, true},
    {"mahalanobis", "{}", false, false},  // zero covariance: "all samples identical" error
    {"lof", R"({"k": 5})", false, true},
    {"kde", R"({"bandwidth": 1.0})", true, true},
    {"pca", R"({"variance": 0.9})", false, true},
    {"copod", "{}", true, true},                  // one sample: each F is 1/2 or 1
    {"iforest", R"({"trees": 100})", true, true},  // one sample or identical samples: every score 0.5
    {"ocsvm", R"({"nu": 0.5})", true, true},       // identical samples: gamma "scale" falls back to 1 (as sklearn)
    {"svdd", R"({"C": 1})", true, true},           // C = 1: the minimal enclosing ball, feasible for any N
};

bool all_finite(const std::vector<float> &s) {
    for (float v : s)
        if (!std::isfinite(v)) return false;
    return true;
}

} // namespace

TEST_CASE("classic detectors: save/load round trip gives bit-identical scores") {
    const Matrix train = random_matrix(300, 12, 1), test = random_matrix(50, 12, 2, 0.5f);
    for (const Case &c : kCases) {
        CAPTURE(std::string(c.name));
        Detector a(plugin_path(c.name), c.params, 2);
        REQUIRE(a.status == VIGIL_OK);
        REQUIRE(a.fit(train) == VIGIL_OK);
        const std::vector<float> s1 = a.scores(test);
        CHECK(all_finite(s1));
        std::vector<uint8_t> bytes;
        REQUIRE(a.save(bytes) == VIGIL_OK);
        Detector b(plugin_path(c.name), c.params, 1);
        REQUIRE(b.load(bytes) == VIGIL_OK);
        const std::vector<float> s2 = b.scores(test);
        CHECK(s1 == s2);
        // Truncated state: a clean IO error, and the object stays usable.
        bytes.resize(bytes.size() / 2);
        Detector t(plugin_path(c.name), c.params, 1);
        CHECK(t.load(bytes) == VIGIL_ERR_IO);
        CHECK_FALSE(t.host.last_error.empty());
    }
}

TEST_CASE("classic detectors: a planted outlier scores above every normal point") {
    const Matrix train = random_matrix(400, 6, 3);
    Matrix test = random_matrix(41, 6, 4);
    for (int64_t j = 0; j < test.d; ++j) test.at(40, j) = 8.0f;  // far from N(0, I)
    for (const Case &c : kCases) {
        CAPTURE(std::string(c.name));
        Detector det(plugin_path(c.name), c.params, 2);
        REQUIRE(det.fit(train) == VIGIL_OK);
        const std::vector<float> s = det.scores(test);
        for (int i = 0; i < 40; ++i) CHECK(s[i] < s[40]);
    }
}

TEST_CASE("classic detectors: degenerate training data gives finite scores or a clear error") {
    const Matrix test = random_matrix(20, 8, 5);
    for (const Case &c : kCases) {
        CAPTURE(std::string(c.name));
        SUBCASE("all-identical samples") {
            Matrix same(50, 8);
            for (float &v : same.v) v = 0.25f;
            Detector det(plugin_path(c.name), c.params, 2);
            const vigil_status s = det.fit(same);
            if (c.identical_fits) {
                REQUIRE_MESSAGE(s == VIGIL_OK, det.host.last_error);
                const std::vector<float> sc = det.scores(test);
                CHECK(all_finite(sc));
                // The training point itself is the least anomalous input there is.
                Matrix at(1, 8);
                for (float &v : at.v) v = 0.25f;
                const float self = det.scores(at)[0];
                for (float v : sc) CHECK(self <= v);
            } else {
                CHECK(s == VIGIL_ERR_INVALID_ARGUMENT);
                CHECK_FALSE(det.host.last_error.empty());
            }
        }
        SUBCASE("one sample") {
            Detector det(plugin_path(c.name), c.params, 2);
            const vigil_status s = det.fit(random_matrix(1, 8, 6));
            if (c.single_sample_fits) {
                REQUIRE_MESSAGE(s == VIGIL_OK, det.host.last_error);
                CHECK(all_finite(det.scores(test)));
            } else {
                CHECK(s == VIGIL_ERR_INVALID_ARGUMENT);
                CHECK(det.host.last_error.find("sample") != std::string::npos);
            }
        }
        SUBCASE("more features than samples") {
            const Matrix wide = random_matrix(30, 200, 7), wtest = random_matrix(10, 200, 8);
            Detector det(plugin_path(c.name), c.params, 2);
            REQUIRE_MESSAGE(det.fit(wide) == VIGIL_OK, det.host.last_error);
            CHECK(all_finite(det.scores(wtest)));
        }
        SUBCASE("NaN or Inf in training or test data") {
            for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
                Matrix tr = random_matrix(40, 8, 9);
                tr.at(7, 3) = bad;
                Detector det(plugin_path(c.name), c.params, 2);
                CHECK(det.fit(tr) == VIGIL_ERR_INVALID_ARGUMENT);
                CHECK(det.host.last_error.find("non-finite") != std::string::npos);
                REQUIRE(det.fit(random_matrix(40, 8, 9)) == VIGIL_OK);
                Matrix te = random_matrix(5, 8, 10);
                te.at(2, 1) = bad;
                std::vector<float> out;
                CHECK(det.score(te, out) == VIGIL_ERR_INVALID_ARGUMENT);
                CHECK(det.host.last_error.find("sample 2") != std::string::npos);
            }
        }
    }
}

TEST_CASE("classic detectors: misuse is a clean error") {
    for (const Case &c : kCases) {
        CAPTURE(std::string(c.name));
        Detector det(plugin_path(c.name), c.params, 1);
        std::vector<float> out;
        CHECK(det.score(random_matrix(3, 4, 1), out) == VIGIL_ERR_STATE);
        std::vector<uint8_t> bytes;
        CHECK(det.save(bytes) == VIGIL_ERR_STATE);
        REQUIRE(det.fit(random_matrix(60, 4, 2)) == VIGIL_OK);
        CHECK(det.score(random_matrix(3, 5, 1), out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error.find("features") != std::string::npos);
        Detector bad(plugin_path(c.name), R"({"no_such_parameter": 1})", 1);
        CHECK(bad.status == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(bad.host.last_error.find("unknown parameter 'no_such_parameter'") == 0);
    }
}
