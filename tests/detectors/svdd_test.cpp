// svdd_test.cpp — the svdd detector (vigil-svdd-cpu.so, through the C ABI):
// the rbf equivalence with ocsvm(nu = 1/(N·C)) (identical rankings, scores
// related by svdd = 2C · ocsvm), scikit-learn's OneClassSVM through that
// equivalence (tests/reference/svm_reference.json), the C ≥ 1/N rule, other
// kernels, save/load, degenerate training sets and errors.
#include "detector_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>

using namespace vigil::test;

namespace {

const std::string kSvdd = plugin_path("svdd");
const std::string kOcsvm = plugin_path("ocsvm");

std::vector<size_t> ranking(const std::vector<float> &s) {
    std::vector<size_t> idx(s.size());
    std::iota(idx.begin(), idx.end(), size_t(0));
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return s[a] < s[b]; });
    return idx;
}

bool has_log(const Detector &det, const std::string &part) {
    for (const std::string &l : det.host.logs)
        if (l.find(part) != std::string::npos) return true;
    return false;
}

std::string num(double v) { return nlohmann::json(v).dump(); }

} // namespace

TEST_CASE("svdd descriptor: a cpu detector that always runs") {
    PluginSo so(kSvdd);
    CHECK(std::string(so.desc().name) == "svdd");
    CHECK(so.desc().kind == VIGIL_KIND_DETECTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    std::string why;
    CHECK(probe(so, why) == 100);
    const auto schema = nlohmann::json::parse(so.desc().params_schema);
    for (const char *key : {"kernel", "C", "gamma", "degree", "coef0", "tol", "cache_size", "max_iter"}) {
        CAPTURE(std::string(key));
        CHECK(schema["properties"][key].contains("default"));
    }
}

TEST_CASE("svdd (rbf) ranks test points exactly as ocsvm with nu = 1/(N*C)") {
    // SVDD's dual with K_ii = 1 is the one-class dual scaled by 1/(νN) = C: the
    // solver takes the same steps, and its stopping test sees violations scaled
    // by 2C, so svdd's tol = 2C · ocsvm's tol stops both at the same iterate.
    // Then score_svdd = 2C · score_ocsvm (up to rounding) and the rankings are equal.
    const int64_t n = 400;
    const Matrix train = random_matrix(n, 6, 31), q = random_matrix(600, 6, 32, 0.5f);
    for (double c : {0.005, 0.0125, 0.1}) {
        CAPTURE(c);
        const double nu = 1.0 / (n * c);
        Detector oc(kOcsvm, R"({"nu": )" + num(nu) + R"(, "gamma": 0.1, "tol": 1e-3})");
        Detector sv(kSvdd, R"({"C": )" + num(c) + R"(, "gamma": 0.1, "tol": )" + num(2 * c * 1e-3) + "}");
        REQUIRE(oc.fit(train) == VIGIL_OK);
        REQUIRE(sv.fit(train) == VIGIL_OK);
        const auto so = oc.scores(q), ss = sv.scores(q);
        double worst = 0;
        for (size_t i = 0; i < so.size(); ++i) worst = std::max(worst, std::abs(ss[i] - 2 * c * so[i]));
        MESSAGE("C = " << c << " (nu = " << nu << "): largest |svdd - 2C * ocsvm| " << worst);
        CHECK(worst < 1e-5);
        // Identical rankings, apart from pairs closer than the float rounding of the scores.
        const auto ro = ranking(so), rs = ranking(ss);
        int64_t swapped = 0;
        for (size_t i = 0; i < ro.size(); ++i)
            if (ro[i] != rs[i] && std::abs(so[ro[i]] - so[rs[i]]) > 1e-6f * std::max(1.0f, std::abs(so[ro[i]]))) ++swapped;
        CHECK(swapped == 0);
        // The same support vectors.
        CHECK(has_log(oc, "support vectors of 400"));
    }
}

TEST_CASE("svdd (rbf) matches scikit-learn's OneClassSVM(nu = 1/(N*C)) scaled by -2C") {
    std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/tests/reference/svm_reference.json");
    REQUIRE(in.good());
    const nlohmann::json doc = nlohmann::json::parse(in);
    const int64_t n = doc["n_train"], m = doc["n_test"], d = doc["d"];
    Matrix train(n, d), test(m, d);
    for (size_t i = 0; i < train.v.size(); ++i) train.v[i] = static_cast<float>(double(doc["train"][i]));
    for (size_t i = 0; i < test.v.size(); ++i) test.v[i] = static_cast<float>(double(doc["test"][i]));
    for (const auto &c : doc["cases"]) {
        if (c["kernel"] != "rbf" || double(c["tol"]) > 1e-5) continue;
        const std::string name = c["name"];
        CAPTURE(name);
        const double cc = 1.0 / (double(c["nu"]) * n);
        Detector sv(kSvdd, R"({"C": )" + num(cc) + R"(, "gamma": )" + c["gamma_param"].dump() + R"(, "tol": 1e-9})");
        REQUIRE(sv.fit(train) == VIGIL_OK);
        const auto s = sv.scores(test);
        double worst = 0;
        for (int64_t i = 0; i < m; ++i) {
            const double want = -2 * cc * double(c["decision_test"][static_cast<size_t>(i)]);
            worst = std::max(worst, std::abs(s[i] - want) / std::max(1.0, std::abs(want)));
        }
        MESSAGE(name << " as svdd C = " << cc << ": largest relative difference to -2C * decision_function " << worst);
        CHECK(worst < 2e-5);
    }
}

TEST_CASE("svdd refuses C < 1/N; C = 1/N and C >= 1 work") {
    const Matrix train = random_matrix(40, 3, 33);
    Detector small(kSvdd, R"({"C": 0.02})");
    CHECK(small.fit(train) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(small.host.last_error ==
          "C = 0.02 is below 1/N = 0.025 for N = 40 training samples: no coefficients 0 <= alpha <= C sum to 1 "
          "(infeasible); use C >= 1/N");
    Detector edge(kSvdd, R"({"C": 0.025})");
    REQUIRE(edge.fit(train) == VIGIL_OK);  // every alpha = 1/N: the centre is the mean in feature space
    CHECK(has_log(edge, "40 support vectors of 40 (40 at the bound)"));
    Detector hard(kSvdd, R"({"C": 5})");
    REQUIRE(hard.fit(train) == VIGIL_OK);  // the hard minimal enclosing ball: no training sample outside
    for (float v : hard.scores(train)) CHECK(v <= 1e-3f);
}

TEST_CASE("svdd with linear and poly kernels: training samples outside the ball score above the inside ones") {
    const Matrix train = random_matrix(200, 4, 34);
    for (const char *params : {R"({"kernel": "linear", "C": 0.05})", R"({"kernel": "poly", "C": 0.05, "gamma": 0.5, "coef0": 1})",
                               R"({"kernel": "sigmoid", "C": 0.05, "gamma": 0.01})"}) {
        CAPTURE(std::string(params));
        Detector det(kSvdd, params);
        REQUIRE(det.fit(train) == VIGIL_OK);
        const auto s = det.scores(train);
        for (float v : s) CHECK(std::isfinite(v));
        // A far point is further from the centre than any training point (linear: the ball is ‖x − a‖²).
        Matrix far = random_matrix(1, 4, 35);
        for (float &v : far.v) v = 8.0f;
        if (std::string(params).find("sigmoid") == std::string::npos)
            CHECK(det.scores(far)[0] > *std::max_element(s.begin(), s.end()));
    }
}

TEST_CASE("svdd save/load reproduces scores bit for bit; an ocsvm state is refused") {
    const Matrix train = random_matrix(250, 7, 36), q = random_matrix(300, 7, 37, 0.3f);
    Detector a(kSvdd, R"({"C": 0.02})");
    REQUIRE(a.fit(train) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(a.save(state) == VIGIL_OK);
    Detector b(kSvdd, R"({"C": 0.02})");
    REQUIRE(b.load(state) == VIGIL_OK);
    CHECK(bit_identical(a.scores(q), b.scores(q)));
    // A 2-row cache gives the same model.
    Detector tiny(kSvdd, R"({"C": 0.02, "cache_size": 1e-6})");
    REQUIRE(tiny.fit(train) == VIGIL_OK);
    CHECK(bit_identical(a.scores(q), tiny.scores(q)));

    Detector oc(kOcsvm, "{}");
    REQUIRE(oc.fit(train) == VIGIL_OK);
    std::vector<uint8_t> ocstate;
    REQUIRE(oc.save(ocstate) == VIGIL_OK);
    Detector c(kSvdd, "{}");
    CHECK(c.load(ocstate) == VIGIL_ERR_IO);
    CHECK(c.host.last_error == "not an svdd state (wrong magic)");
    std::vector<uint8_t> cut(state.begin(), state.end() - 3);
    CHECK(c.load(cut) == VIGIL_ERR_IO);
    std::vector<uint8_t> bad = state;
    const double zero = 0.0;  // gamma
    std::memcpy(bad.data() + 12, &zero, sizeof zero);
    CHECK(c.load(bad) == VIGIL_ERR_IO);
    CHECK(c.host.last_error == "svdd state is malformed: gamma is not a positive finite number");
}

TEST_CASE("svdd degenerate training sets give finite scores") {
    SUBCASE("identical samples") {
        Matrix same(30, 5);
        std::fill(same.v.begin(), same.v.end(), -2.0f);
        Detector det(kSvdd, R"({"C": 0.1})");
        REQUIRE(det.fit(same) == VIGIL_OK);
        CHECK(has_log(det, "using gamma = 1.0 as scikit-learn does"));
        CHECK(det.scores(same)[0] == doctest::Approx(0.0).scale(1.0));  // on the centre, R = 0
        for (float v : det.scores(random_matrix(10, 5, 38))) {
            CHECK(std::isfinite(v));
            CHECK(v > 0);
        }
    }
    SUBCASE("one sample (C = 1): score = squared feature-space distance to it") {
        Detector det(kSvdd, R"({"gamma": 0.5})");
        const Matrix one = random_matrix(1, 3, 39), q = random_matrix(4, 3, 40);
        REQUIRE(det.fit(one) == VIGIL_OK);
        const auto s = det.scores(q);
        for (int64_t i = 0; i < q.n; ++i) {
            double d2 = 0;
            for (int64_t j = 0; j < 3; ++j) d2 += (q.at(i, j) - one.at(0, j)) * (q.at(i, j) - one.at(0, j));
            CHECK(s[static_cast<size_t>(i)] == doctest::Approx(2.0 - 2.0 * std::exp(-0.5 * d2)).epsilon(1e-5));
        }
    }
    SUBCASE("more features than samples") {
        Detector det(kSvdd, R"({"C": 0.5})");
        REQUIRE(det.fit(random_matrix(5, 1000, 41)) == VIGIL_OK);
        for (float v : det.scores(random_matrix(20, 1000, 42))) CHECK(std::isfinite(v));
    }
    SUBCASE("NaN in the training data") {
        Detector det(kSvdd, "{}");
        Matrix bad = random_matrix(5, 2, 43);
        bad.at(3, 0) = std::nanf("");
        CHECK(det.fit(bad) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "training data: non-finite value (NaN or Inf) in sample 3, element 0");
    }
}

TEST_CASE("svdd parameter errors") {
    Detector zero(kSvdd, R"({"C": 0})");
    CHECK(zero.status == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(zero.host.last_error.find("parameter C must be a number in (0") == 0);
    Detector nu(kSvdd, R"({"nu": 0.5})");
    CHECK(nu.status == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(nu.host.last_error.find("unknown parameter 'nu' (svdd takes kernel, C, gamma") == 0);
    Detector before(kSvdd, "{}");
    std::vector<float> out;
    CHECK(before.score(random_matrix(2, 2, 44), out) == VIGIL_ERR_STATE);
}
