// cuda_variants_test.cpp — the cuda variants of knn and mahalanobis, through
// the C ABI: with a device they agree with the cpu variants (otherwise a
// MESSAGE says the agreement test was skipped and why). The no-device path of
// every cuda variant is cuda_no_device_test.cpp.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace vigil::test;

TEST_CASE("cuda variants agree with the cpu variants where a GPU is usable") {
    bool ran = false;
    std::string why = "the cuda variants were not built";
    if (plugin_built("knn", "cuda") && plugin_built("mahalanobis", "cuda")) {
        PluginSo so(plugin_path("knn", "cuda"));
        ran = probe(so, why) > 0;
    }
    if (!ran) {
        MESSAGE("cpu-vs-cuda agreement skipped: " << why);
        return;
    }
    // knn: several k (1 .. 64) and block sizes that split both axes; the GEMMs
    // differ (oneDNN vs cuBLAS FP32) only by float rounding: 1e-4 relative.
    const vigil::test::Matrix train = random_matrix(5000, 64, 11), q = random_matrix(3000, 64, 12, 0.3f);
    for (const char *params : {R"({"k": 1})", R"({"k": 5})", R"({"k": 5, "aggregate": "mean"})", R"({"k": 64})",
                               R"({"k": 7, "query_block": 1000, "train_block": 1500})"}) {
        CAPTURE(std::string(params));
        Detector c(plugin_path("knn", "cpu"), params), g(plugin_path("knn", "cuda"), params);
        REQUIRE(g.status == VIGIL_OK);
        REQUIRE(c.fit(train) == VIGIL_OK);
        REQUIRE(g.fit(train) == VIGIL_OK);
        const double w = worst_rel(c.scores(q), g.scores(q));
        MESSAGE("knn " << std::string(params) << ": max relative cpu-vs-cuda difference " << w);
        CHECK(w < 1e-4);
        // Round trip through the other variant's state: the state is backend-neutral.
        std::vector<uint8_t> state;
        REQUIRE(g.save(state) == VIGIL_OK);
        Detector c2(plugin_path("knn", "cpu"), params);
        REQUIRE(c2.load(state) == VIGIL_OK);
        CHECK(worst_rel(c2.scores(q), g.scores(q)) < 1e-4);
    }
    Detector big(plugin_path("knn", "cuda"), R"({"k": 1025})");
    CHECK(big.status == VIGIL_ERR_INVALID_ARGUMENT);

    std::vector<int32_t> y(5000);
    for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<int32_t>(i % 3);
    for (const char *params : {R"({"mode": "single"})", R"({"mode": "class_conditional"})"}) {
        CAPTURE(std::string(params));
        Detector c(plugin_path("mahalanobis", "cpu"), params), g(plugin_path("mahalanobis", "cuda"), params);
        REQUIRE(g.status == VIGIL_OK);
        REQUIRE(c.fit(train, &y) == VIGIL_OK);
        REQUIRE(g.fit(train, &y) == VIGIL_OK);
        const double w = worst_rel(c.scores(q), g.scores(q));
        MESSAGE("mahalanobis " << std::string(params) << ": max relative cpu-vs-cuda difference " << w);
        CHECK(w < 1e-4);
    }
}
