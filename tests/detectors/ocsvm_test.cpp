// ocsvm_test.cpp — the ocsvm detector (vigil-ocsvm-cpu.so, through the C ABI):
// scores against scikit-learn's OneClassSVM (tests/reference/svm_reference.json,
// made by tests/reference/gen_svm.py), save/load, cache-size independence,
// determinism, degenerate training sets and every error path.
#include "detector_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

using namespace vigil::test;

namespace {

const std::string kOcsvm = plugin_path("ocsvm");

struct SvmReference {
    nlohmann::json doc;
    Matrix train, test;
};

const SvmReference &svm_reference() {
    static const SvmReference r = [] {
        SvmReference x;
        std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/tests/reference/svm_reference.json");
        if (!in) throw std::runtime_error("missing tests/reference/svm_reference.json");
        x.doc = nlohmann::json::parse(in);
        const int64_t d = x.doc["d"];
        x.train = Matrix(x.doc["n_train"], d);
        x.test = Matrix(x.doc["n_test"], d);
        for (size_t i = 0; i < x.train.v.size(); ++i) x.train.v[i] = static_cast<float>(double(x.doc["train"][i]));
        for (size_t i = 0; i < x.test.v.size(); ++i) x.test.v[i] = static_cast<float>(double(x.doc["test"][i]));
        return x;
    }();
    return r;
}

bool has_log(const Detector &det, const std::string &part) {
    for (const std::string &l : det.host.logs)
        if (l.find(part) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("ocsvm descriptor: a cpu detector that always runs") {
    PluginSo so(kOcsvm);
    CHECK(std::string(so.desc().name) == "ocsvm");
    CHECK(so.desc().kind == VIGIL_KIND_DETECTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    std::string why;
    CHECK(probe(so, why) == 100);
    const auto schema = nlohmann::json::parse(so.desc().params_schema);
    for (const char *key : {"kernel", "nu", "gamma", "degree", "coef0", "tol", "cache_size", "max_iter"}) {
        CAPTURE(std::string(key));
        CHECK(schema["properties"].contains(key));
        CHECK(schema["properties"][key].contains("default"));
    }
}

TEST_CASE("ocsvm scores are scikit-learn's -decision_function (every kernel; gamma scale/auto/number)") {
    // Tolerance: 2e-5 · max(1, |f|) at tol 1e-7 (float kernel values are the
    // only difference), 1e-3 · max(1, |f|) at the default tol (see
    // tests/classic/svm_solver_test.cpp for the reasoning).
    const SvmReference &ref = svm_reference();
    for (const auto &c : ref.doc["cases"]) {
        const std::string name = c["name"];
        CAPTURE(name);
        nlohmann::json p = {{"kernel", c["kernel"]}, {"nu", c["nu"]}, {"gamma", c["gamma_param"]},
                            {"degree", c["degree"]}, {"coef0", c["coef0"]}, {"tol", c["tol"]}};
        Detector det(kOcsvm, p.dump());
        REQUIRE(det.status == VIGIL_OK);
        REQUIRE(det.fit(ref.train) == VIGIL_OK);
        const bool tight = double(c["tol"]) < 1e-5;
        double worst = 0;
        const auto s = det.scores(ref.test);
        for (size_t i = 0; i < s.size(); ++i) {
            const double want = -double(c["decision_test"][i]);
            worst = std::max(worst, std::abs(s[i] - want) / std::max(1.0, std::abs(want)));
        }
        const auto st = det.scores(ref.train);
        for (size_t i = 0; i < st.size(); ++i) {
            const double want = -double(c["decision_train"][i]);
            worst = std::max(worst, std::abs(st[i] - want) / std::max(1.0, std::abs(want)));
        }
        MESSAGE(name << ": largest relative difference to -decision_function " << worst);
        CHECK(worst < (tight ? 2e-5 : 1e-3));
        // The fit's log line names the support-vector count.
        CHECK(has_log(det, std::to_string(int(c["n_sv"])) + " support vectors of 80"));
    }
}

TEST_CASE("ocsvm save/load reproduces scores bit for bit; malformed state is an I/O error") {
    const Matrix train = random_matrix(300, 12, 1), q = random_matrix(500, 12, 2, 0.4f);
    Detector a(kOcsvm, R"({"nu": 0.2})");
    REQUIRE(a.fit(train) == VIGIL_OK);
    std::vector<uint8_t> state;
    REQUIRE(a.save(state) == VIGIL_OK);
    Detector b(kOcsvm, R"({"nu": 0.2})");
    REQUIRE(b.load(state) == VIGIL_OK);
    CHECK(bit_identical(a.scores(q), b.scores(q)));

    SUBCASE("truncated and padded") {
        for (size_t cut : {size_t(3), size_t(20), state.size() - 1}) {
            CAPTURE(cut);
            Detector fresh(kOcsvm, "{}");
            CHECK(fresh.load(std::vector<uint8_t>(state.begin(), state.begin() + static_cast<long>(cut))) == VIGIL_ERR_IO);
        }
        std::vector<uint8_t> padded = state;
        padded.push_back(0);
        Detector fresh(kOcsvm, "{}");
        CHECK(fresh.load(padded) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "plugin state has trailing bytes");
    }
    SUBCASE("wrong magic, wrong format, kernel mismatch") {
        std::vector<uint8_t> bad = state;
        bad[0] ^= 0xFF;
        Detector fresh(kOcsvm, "{}");
        CHECK(fresh.load(bad) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "not an ocsvm state (wrong magic)");
        bad = state;
        bad[4] = 9;
        CHECK(fresh.load(bad) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "ocsvm state format 9 is not supported (this plugin reads 1)");
        Detector linear(kOcsvm, R"({"kernel": "linear"})");
        CHECK(linear.load(state) == VIGIL_ERR_IO);
        CHECK(linear.host.last_error == "ocsvm state was fitted with kernel rbf, but the parameters say linear");
    }
    SUBCASE("non-finite values and inconsistent sizes") {
        // Layout: magic, format, type(4) gamma(8) degree(4) coef0(8) d(8) rho(8), centre, coef, sv.
        const size_t rho_at = 8 + 4 + 8 + 4 + 8 + 8;
        std::vector<uint8_t> bad = state;
        const double nan = std::nan("");
        std::memcpy(bad.data() + rho_at, &nan, sizeof nan);
        Detector fresh(kOcsvm, "{}");
        CHECK(fresh.load(bad) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "ocsvm state is malformed: the offset is not finite");
        bad = state;
        const float inf = INFINITY;
        std::memcpy(bad.data() + bad.size() - 4, &inf, sizeof inf);  // the last support-vector value
        CHECK(fresh.load(bad) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error == "ocsvm state is malformed: a non-finite support-vector value");
        bad = state;
        const int64_t d = 5;  // 12 features recorded as 5
        std::memcpy(bad.data() + rho_at - 8, &d, sizeof d);
        CHECK(fresh.load(bad) == VIGIL_ERR_IO);
        CHECK(fresh.host.last_error.find("ocsvm state is malformed: centre has 12 values") == 0);
    }
}

TEST_CASE("ocsvm: a 2-row kernel cache gives the same scores as the default cache, bit for bit") {
    const Matrix train = random_matrix(400, 10, 3), q = random_matrix(300, 10, 4, 0.3f);
    Detector big(kOcsvm, R"({"nu": 0.3})"), tiny(kOcsvm, R"({"nu": 0.3, "cache_size": 1e-6})");
    REQUIRE(big.fit(train) == VIGIL_OK);
    REQUIRE(tiny.fit(train) == VIGIL_OK);
    CHECK(bit_identical(big.scores(q), tiny.scores(q)));
    CHECK(has_log(tiny, "(cache 2 rows)"));
    CHECK(has_log(big, "(cache 400 rows)"));
}

TEST_CASE("ocsvm scores are deterministic: repeated calls and 1 vs 2 threads give identical bits") {
    const Matrix train = random_matrix(500, 16, 5), q = random_matrix(700, 16, 6, 0.2f);
    Detector one(kOcsvm, R"({"nu": 0.1, "gamma": 0.05})", 1), two(kOcsvm, R"({"nu": 0.1, "gamma": 0.05})", 2);
    REQUIRE(one.fit(train) == VIGIL_OK);
    REQUIRE(two.fit(train) == VIGIL_OK);
    const auto a = one.scores(q);
    CHECK(bit_identical(a, one.scores(q)));
    CHECK(bit_identical(a, two.scores(q)));
}

TEST_CASE("ocsvm separates a shifted cluster (AUROC-like check) and scores an empty batch") {
    const Matrix train = random_matrix(400, 8, 7), inliers = random_matrix(200, 8, 8), outliers = random_matrix(200, 8, 9, 2.5f);
    Detector det(kOcsvm, "{}");
    REQUIRE(det.fit(train) == VIGIL_OK);
    const auto si = det.scores(inliers), so = det.scores(outliers);
    int64_t wins = 0;
    for (float a : si)
        for (float b : so) wins += b > a;
    const double auc = double(wins) / (si.size() * so.size());
    MESSAGE("pairwise AUROC of shifted vs unshifted samples: " << auc);
    CHECK(auc > 0.95);
    std::vector<float> out;
    CHECK(det.score(Matrix(0, 8), out) == VIGIL_OK);
}

TEST_CASE("ocsvm degenerate training sets give finite scores") {
    SUBCASE("all samples identical: gamma 'scale' falls back to 1.0 with a warning") {
        Matrix same(50, 4);
        std::fill(same.v.begin(), same.v.end(), 0.7f);
        Detector det(kOcsvm, "{}");
        REQUIRE(det.fit(same) == VIGIL_OK);
        CHECK(has_log(det, "gamma \"scale\" = 1 / (D * Var) is undefined; using gamma = 1.0 as scikit-learn does"));
        const auto s = det.scores(random_matrix(20, 4, 10));
        for (float v : s) CHECK(std::isfinite(v));
        const auto at = det.scores(same);  // the training point itself: decision 0 (ρ = νN = ΣαK)
        CHECK(at[0] == doctest::Approx(0.0).scale(1.0));
        for (float v : s) CHECK(v > at[0]);
    }
    SUBCASE("one sample") {
        Detector det(kOcsvm, "{}");
        const Matrix one = random_matrix(1, 6, 11);
        REQUIRE(det.fit(one) == VIGIL_OK);  // gamma scale from 6 values of one sample
        const auto s = det.scores(random_matrix(10, 6, 12));
        for (float v : s) CHECK(std::isfinite(v));
        CHECK(det.scores(one)[0] == doctest::Approx(0.0).scale(1.0));  // ρ = ν K(x,x) = 0.5 = Σ α K
    }
    SUBCASE("one sample, all-zero: variance 0 and a zero vector") {
        Detector det(kOcsvm, R"({"kernel": "linear"})");
        REQUIRE(det.fit(Matrix(1, 3)) == VIGIL_OK);
        for (float v : det.scores(random_matrix(5, 3, 13))) CHECK(std::isfinite(v));
    }
    SUBCASE("more features than samples") {
        Detector det(kOcsvm, "{}");
        REQUIRE(det.fit(random_matrix(8, 2000, 14)) == VIGIL_OK);
        for (float v : det.scores(random_matrix(30, 2000, 15))) CHECK(std::isfinite(v));
    }
    SUBCASE("nu = 1: every sample a bounded support vector (scikit-learn refuses: infinite rho)") {
        Detector det(kOcsvm, R"({"nu": 1})");
        REQUIRE(det.fit(random_matrix(30, 3, 16)) == VIGIL_OK);
        CHECK(has_log(det, "30 support vectors of 30 (30 at the bound)"));
        for (float v : det.scores(random_matrix(10, 3, 17))) CHECK(std::isfinite(v));
    }
    SUBCASE("huge poly values saturate at the float range, never Inf or NaN") {
        Detector det(kOcsvm, R"({"kernel": "poly", "degree": 3, "gamma": 1})");
        Matrix big = random_matrix(20, 3, 18);
        for (float &v : big.v) v *= 1e4f;  // K ~ (1e8)^3 = 1e24: fits in float
        REQUIRE(det.fit(big) == VIGIL_OK);
        for (float v : det.scores(big)) CHECK(std::isfinite(v));
        Detector huge(kOcsvm, R"({"kernel": "poly", "degree": 5, "gamma": 1})");
        CHECK(huge.fit(big) == VIGIL_ERR_INVALID_ARGUMENT);  // (1e8)^5 = 1e40 overflows a float kernel row
        CHECK(huge.host.last_error.find("a poly kernel value overflows") == 0);
    }
}

TEST_CASE("ocsvm errors name the problem") {
    const Matrix train = random_matrix(20, 3, 20);
    SUBCASE("score and save before fit") {
        Detector det(kOcsvm, "{}");
        std::vector<float> out;
        CHECK(det.score(train, out) == VIGIL_ERR_STATE);
        CHECK(det.host.last_error == "score called before fit (or load)");
        std::vector<uint8_t> state;
        CHECK(det.save(state) == VIGIL_ERR_STATE);
    }
    SUBCASE("wrong feature count") {
        Detector det(kOcsvm, "{}");
        REQUIRE(det.fit(train) == VIGIL_OK);
        std::vector<float> out;
        CHECK(det.score(random_matrix(2, 4, 21), out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "samples have 4 features, but the model was fitted on 3");
    }
    SUBCASE("non-finite input") {
        Detector det(kOcsvm, "{}");
        Matrix bad = train;
        bad.at(4, 2) = std::nanf("");
        CHECK(det.fit(bad) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "training data: non-finite value (NaN or Inf) in sample 4, element 2");
        REQUIRE(det.fit(train) == VIGIL_OK);
        bad.at(4, 2) = INFINITY;
        std::vector<float> out;
        CHECK(det.score(bad, out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "scoring data: non-finite value (NaN or Inf) in sample 4, element 2");
    }
    SUBCASE("a failed refit keeps the fitted model") {
        Detector det(kOcsvm, "{}");
        REQUIRE(det.fit(train) == VIGIL_OK);
        const auto before = det.scores(train);
        Matrix bad = train;
        bad.at(0, 0) = std::nanf("");
        CHECK(det.fit(bad) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(bit_identical(before, det.scores(train)));
    }
    SUBCASE("bad parameters are refused at create") {
        struct Bad {
            const char *params, *message;
        };
        for (const Bad &b : {Bad{R"({"nu": 0})", "parameter nu must be a number in (0, 1], got 0"},
                             Bad{R"({"nu": 1.5})", "parameter nu must be a number in (0, 1], got 1.5"},
                             Bad{R"({"gamma": "median"})", R"(parameter gamma must be a number > 0, "scale" or "auto", got "median")"},
                             Bad{R"({"gamma": -1})", R"(parameter gamma must be a number > 0, "scale" or "auto", got -1)"},
                             Bad{R"({"kernel": "laplacian"})",
                                 R"(parameter kernel must be one of "linear", "rbf", "poly", "sigmoid", got "laplacian")"},
                             Bad{R"({"max_iter": 0})", "parameter max_iter must be -1 (libsvm's cap) or >= 1, got 0"},
                             Bad{R"({"tol": 0})", "parameter tol must be a number in (0, inf], got 0"},
                             Bad{R"({"C": 1})", "unknown parameter 'C' (ocsvm takes kernel, nu, gamma, degree, coef0, tol, "
                                                "cache_size, max_iter)"}}) {
            CAPTURE(std::string(b.params));
            Detector det(kOcsvm, b.params);
            CHECK(det.status == VIGIL_ERR_INVALID_ARGUMENT);
            CHECK(det.host.last_error == b.message);
        }
    }
    SUBCASE("the iteration cap warns through the host log and keeps the approximate model") {
        Detector det(kOcsvm, R"({"max_iter": 2})");
        REQUIRE(det.fit(random_matrix(200, 3, 22)) == VIGIL_OK);
        CHECK(has_log(det, "smo: stopped at the iteration limit (2 iterations)"));
        for (float v : det.scores(train)) CHECK(std::isfinite(v));
    }
    SUBCASE("cancellation during fit") {
        Detector det(kOcsvm, "{}");
        det.host.cancel = true;
        CHECK(det.fit(random_matrix(200, 5, 23)) == VIGIL_ERR_CANCELLED);
        CHECK(det.host.last_error == "cancelled by the host");
    }
}

TEST_CASE("ocsvm reports progress of the solver") {
    static std::vector<std::string> labels;
    labels.clear();
    Detector det(kOcsvm, R"({"nu": 0.5})");
    det.host_table.progress = [](void *, uint64_t, uint64_t, const char *label) { labels.emplace_back(label); };
    REQUIRE(det.fit(random_matrix(3000, 4, 24)) == VIGIL_OK);
    CHECK(std::find(labels.begin(), labels.end(), "smo init") != labels.end());
    CHECK(std::find(labels.begin(), labels.end(), "smo") != labels.end());
}
