// roc_plugin_test.cpp — the `roc` evaluator seen through the C ABI only:
// dlopen the built vigil-roc-cpu.so, check its descriptor, evaluate the
// scikit-learn reference sets and check the error paths (status + message
// handed to the host's error callback).
#include "plugin_so.hpp"
#include "reference_cases.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace vigil::test;

namespace {
const char *kRocSo = VIGIL_PLUGIN_DIR "/vigil-roc-cpu.so";
struct Roc : EvaluatorTest {
    Roc() : EvaluatorTest(kRocSo) {}
};
}

TEST_CASE_FIXTURE(Roc, "roc: descriptor") {
    const vigil_plugin_desc &d = so.desc();
    CHECK(d.struct_size == sizeof(vigil_plugin_desc));
    CHECK(d.abi_version == VIGIL_ABI_VERSION);
    CHECK(std::string(d.name) == "roc");
    CHECK(std::string(d.version) == "1.0.0");
    CHECK(d.kind == VIGIL_KIND_EVALUATOR);
    CHECK(d.backend == VIGIL_BACKEND_CPU);
    CHECK(std::string(d.description).find("AUROC") != std::string::npos);
    char reason[64] = "x";
    CHECK(d.probe(reason, sizeof reason) == 100);
    const auto schema = nlohmann::json::parse(d.params_schema);
    CHECK(schema.at("type") == "object");
    CHECK(schema.at("additionalProperties") == false);
    CHECK(schema.at("properties").empty());
    CHECK(so.evaluator().struct_size == sizeof(vigil_evaluator_iface));
}

TEST_CASE_FIXTURE(Roc, "roc: metrics match scikit-learn on the reference sets") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    for (const auto &rc : reference_cases()) {
        CAPTURE(rc.name);
        MetricCollector m;
        REQUIRE(api.evaluate(h.get(), rc.scores.data(), rc.labels.data(), rc.scores.size(), m.sink()) == VIGIL_OK);
        CHECK(m.names == std::vector<std::string>{"auroc", "aupr_out", "aupr_in", "fpr_at_95_tpr", "n_normal",
                                                  "n_anomalous"});
        for (const char *k : {"auroc", "aupr_out", "aupr_in", "fpr_at_95_tpr", "n_normal", "n_anomalous"}) {
            CAPTURE(k);
            CHECK(std::fabs(m.at(k) - rc.expected.at(k).get<double>()) <= kRefTol);
        }
    }
    CHECK(host.errors.empty());
}

TEST_CASE_FIXTURE(Roc, "roc: a hand-checked case (AUROC 0.75, AUPR 5/6 both ways, FPR@95 0.5)") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    // See metrics_test.cpp, case A. AUPR-in: normal positive, scores negated:
    // -0.1(n) -0.35(a) -0.4(n) -0.8(a): AP = 1/2 * 1 + 1/2 * 2/3 = 5/6.
    const float s[] = {0.1f, 0.4f, 0.35f, 0.8f};
    const int32_t y[] = {0, 0, 1, 1};
    MetricCollector m;
    REQUIRE(api.evaluate(h.get(), s, y, 4, m.sink()) == VIGIL_OK);
    CHECK(m.at("auroc") == 0.75);
    CHECK(m.at("aupr_out") == doctest::Approx(5.0 / 6.0).epsilon(1e-15));
    CHECK(m.at("aupr_in") == doctest::Approx(5.0 / 6.0).epsilon(1e-15));
    CHECK(m.at("fpr_at_95_tpr") == 0.5);
    CHECK(m.at("n_normal") == 2);
    CHECK(m.at("n_anomalous") == 2);
}

TEST_CASE_FIXTURE(Roc, "roc: bad input is INVALID_ARGUMENT with a message for the host") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    MetricCollector m;

    const float s[] = {0.1f, 0.2f, 0.3f};
    const int32_t bad_label[] = {0, 3, 1};
    CHECK(api.evaluate(h.get(), s, bad_label, 3, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == "label at index 1 is 3; labels must be 0 (normal) or 1 (anomaly)");

    const float nan_score[] = {0.1f, std::numeric_limits<float>::quiet_NaN(), 0.3f};
    const int32_t y[] = {0, 1, 1};
    CHECK(api.evaluate(h.get(), nan_score, y, 3, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("index 1") != std::string::npos);

    const int32_t anomalies_only[] = {1, 1, 1};
    CHECK(api.evaluate(h.get(), s, anomalies_only, 3, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error ==
          "AUROC needs both normal (0) and anomalous (1) samples; got only 3 anomalous (1) samples");

    CHECK(api.evaluate(h.get(), nullptr, nullptr, 0, m.sink()) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == "AUROC needs both normal (0) and anomalous (1) samples; got no samples");

    CHECK(m.names.empty()); // nothing is reported from a failed evaluation
    CHECK(host.errors.size() == 4);
}

TEST_CASE_FIXTURE(Roc, "roc: malformed parameter JSON is refused at create") {
    Handle h = null_handle();
    CHECK(make(h, "not json") == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("invalid parameters") != std::string::npos);
}
