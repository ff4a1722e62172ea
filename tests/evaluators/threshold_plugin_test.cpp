// threshold_plugin_test.cpp — the `threshold` evaluator through the C ABI:
// descriptor and schema (checked with the host's own validator), Youden and
// fixed thresholds against scikit-learn's values, and the error paths.
#include "plugin_so.hpp"
#include "reference_cases.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <vigil/framework/json_schema.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace vigil::test;

namespace {
const char *kThresholdSo = VIGIL_PLUGIN_DIR "/vigil-threshold-cpu.so";
struct Threshold : EvaluatorTest {
    Threshold() : EvaluatorTest(kThresholdSo) {}
};
const std::vector<std::string> kMetrics = {"threshold", "accuracy", "precision", "recall", "f1", "tpr",
                                           "fpr",       "tp",       "fp",        "tn",     "fn"};

void check_block(const MetricCollector &m, const nlohmann::json &b) {
    CHECK(m.names == kMetrics);
    CHECK(m.at("threshold") == b.at("threshold").get<double>());
    for (const char *k : {"accuracy", "precision", "recall", "f1", "tpr", "fpr", "tp", "fp", "tn", "fn"}) {
        CAPTURE(k);
        CHECK(std::fabs(m.at(k) - b.at(k).get<double>()) <= kRefTol);
    }
}
} // namespace

TEST_CASE_FIXTURE(Threshold, "threshold: descriptor and schema") {
    const vigil_plugin_desc &d = so.desc();
    CHECK(std::string(d.name) == "threshold");
    CHECK(d.kind == VIGIL_KIND_EVALUATOR);
    CHECK(d.backend == VIGIL_BACKEND_CPU);
    CHECK(d.abi_version == VIGIL_ABI_VERSION);
    const auto schema = nlohmann::json::parse(d.params_schema);
    const auto &t = schema.at("properties").at("threshold");
    CHECK(t.at("default") == "youden");
    CHECK(!t.at("description").get<std::string>().empty());
    // The host's validator accepts "youden" and numbers, nothing else, and fills the default.
    CHECK(vigil::validate_schema(schema, {{"threshold", "youden"}}, "/p").empty());
    CHECK(vigil::validate_schema(schema, {{"threshold", -0.25}}, "/p").empty());
    CHECK(vigil::validate_schema(schema, {{"threshold", 3}}, "/p").empty());
    CHECK(vigil::validate_schema(schema, {{"threshold", "median"}}, "/p").size() == 1);
    CHECK(vigil::validate_schema(schema, {{"treshold", 0.5}}, "/p").size() == 1);
    CHECK(vigil::apply_defaults(schema, nlohmann::json::object()) == nlohmann::json{{"threshold", "youden"}});
}

TEST_CASE_FIXTURE(Threshold, "threshold: Youden and fixed thresholds match scikit-learn") {
    Handle youden = null_handle();
    REQUIRE(make(youden, R"({"threshold": "youden"})") == VIGIL_OK);
    Handle by_default = null_handle();
    REQUIRE(make(by_default) == VIGIL_OK);
    for (const auto &rc : reference_cases()) {
        CAPTURE(rc.name);
        const size_t n = rc.scores.size();
        MetricCollector a, b, c;
        REQUIRE(api.evaluate(youden.get(), rc.scores.data(), rc.labels.data(), n, a.sink()) == VIGIL_OK);
        check_block(a, rc.expected.at("youden"));
        REQUIRE(api.evaluate(by_default.get(), rc.scores.data(), rc.labels.data(), n, b.sink()) == VIGIL_OK);
        CHECK(b.values == a.values);

        const nlohmann::json fixed = rc.expected.at("fixed");
        const std::string params = nlohmann::json{{"threshold", fixed.at("threshold")}}.dump();
        Handle f = null_handle();
        REQUIRE(make(f, params.c_str()) == VIGIL_OK);
        REQUIRE(api.evaluate(f.get(), rc.scores.data(), rc.labels.data(), n, c.sink()) == VIGIL_OK);
        check_block(c, fixed);
    }
    CHECK(host.errors.empty());
}

TEST_CASE_FIXTURE(Threshold, "threshold: hand-checked fixed threshold, one class allowed") {
    // metrics_test.cpp case B at threshold 0.5: tp 2, fp 2, tn 1, fn 1.
    Handle h = null_handle();
    REQUIRE(make(h, R"({"threshold": 0.5})") == VIGIL_OK);
    const float s[] = {0.5f, 0.5f, 0.5f, 0.2f, 0.2f, 0.9f};
    const int32_t y[] = {1, 0, 0, 1, 0, 1};
    MetricCollector m;
    REQUIRE(api.evaluate(h.get(), s, y, 6, m.sink()) == VIGIL_OK);
    CHECK(m.at("threshold") == 0.5);
    CHECK(m.at("tp") == 2);
    CHECK(m.at("fp") == 2);
    CHECK(m.at("tn") == 1);
    CHECK(m.at("fn") == 1);
    CHECK(m.at("f1") == doctest::Approx(4.0 / 7.0).epsilon(1e-15));
    // A fixed threshold needs no second class: normal-only data gives FPR, recall 0.
    const int32_t normal[] = {0, 0, 0, 0, 0, 0};
    MetricCollector n;
    REQUIRE(api.evaluate(h.get(), s, normal, 6, n.sink()) == VIGIL_OK);
    CHECK(n.at("fpr") == doctest::Approx(4.0 / 6.0).epsilon(1e-15));
    CHECK(n.at("precision") == 0.0);
    CHECK(n.at("recall") == 0.0);
}

TEST_CASE_FIXTURE(Threshold, "threshold: errors reach the host") {
    Handle bad = null_handle();
    CHECK(make(bad, R"({"threshold": "median"})") == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == R"(threshold must be "youden" or a number, got "median")");
    CHECK(bad.get() == nullptr);

    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    MetricCollector m;
    const float s[] = {0.1f, 0.2f};
    const int32_t y[] = {0, -1};
    CHECK(api.evaluate(h.get(), s, y, 2, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == "label at index 1 is -1; labels must be 0 (normal) or 1 (anomaly)");
    const float inf[] = {std::numeric_limits<float>::infinity(), 0.2f};
    const int32_t ok[] = {0, 1};
    CHECK(api.evaluate(h.get(), inf, ok, 2, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == "score at index 0 is +Inf; scores must be finite");
    const int32_t normal[] = {0, 0};
    CHECK(api.evaluate(h.get(), s, normal, 2, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error ==
          "Youden's threshold needs both normal (0) and anomalous (1) samples; got only 2 normal (0) samples");
    CHECK(m.names.empty());
}
