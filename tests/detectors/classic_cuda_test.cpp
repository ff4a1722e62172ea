// classic_cuda_test.cpp — the cuda variants of lof, kde and the pca detector
// (and of the pca and zca extractors, whose libraries live in the same plugin
// folder set): with a device they agree with the cpu variants
// within 1e-4 relative (the GEMMs differ only by float rounding), otherwise a
// MESSAGE says why the agreement test was skipped. The no-device path of every
// cuda variant is cuda_no_device_test.cpp.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace vigil::test;

namespace {

const char *kDetectors[][2] = {{"lof", R"({"k": 10})"}, {"kde", R"({"bandwidth": 2.0})"}, {"pca", R"({"components": 8})"}};
const char *kExtractors[][2] = {{"pca_extractor", R"({"components": 8, "whiten": true})"}, {"zca", "{}"}};

} // namespace

TEST_CASE("classic cuda variants agree with the cpu variants where a GPU is usable") {
    std::string why = "the cuda variants were not built";
    bool ran = false;
    if (plugin_built("lof", "cuda")) {
        PluginSo so(plugin_path("lof", "cuda"));
        ran = probe(so, why) > 0;
    }
    if (!ran) {
        MESSAGE("cpu-vs-cuda agreement (lof, kde, pca, pca extractor, zca) skipped: " << why);
        return;
    }
    const Matrix train = random_matrix(3000, 48, 21), q = random_matrix(1000, 48, 22, 0.3f);
    for (auto &d : kDetectors) {
        CAPTURE(std::string(d[0]));
        Detector c(plugin_path(d[0], "cpu"), d[1]), g(plugin_path(d[0], "cuda"), d[1]);
        REQUIRE(g.status == VIGIL_OK);
        REQUIRE(c.fit(train) == VIGIL_OK);
        REQUIRE(g.fit(train) == VIGIL_OK);
        const double w = worst_rel(c.scores(q), g.scores(q));
        MESSAGE(d[0] << ": max relative cpu-vs-cuda difference " << w);
        CHECK(w < 1e-4);
    }
    for (auto &e : kExtractors) {
        CAPTURE(std::string(e[0]));
        ExtractorTest c(plugin_path(e[0], "cpu")), g(plugin_path(e[0], "cuda"));
        Handle hc = null_handle(), hg = null_handle();
        REQUIRE(c.make(hc, e[1]) == VIGIL_OK);
        REQUIRE(g.make(hg, e[1]) == VIGIL_OK);
        REQUIRE(fit(c.api, hc.get(), train.v, {train.n, train.d}) == VIGIL_OK);
        REQUIRE(fit(g.api, hg.get(), train.v, {train.n, train.d}) == VIGIL_OK);
        std::vector<float> yc, yg;
        REQUIRE(transform(c.api, hc.get(), q.v, {q.n, q.d}, yc) == VIGIL_OK);
        REQUIRE(transform(g.api, hg.get(), q.v, {q.n, q.d}, yg) == VIGIL_OK);
        // Axis signs are fixed by the fit (largest entry positive), so outputs compare directly.
        const double w = worst_rel(yc, yg);
        MESSAGE(e[0] << ": max relative cpu-vs-cuda difference " << w);
        CHECK(w < 1e-3);
    }
}
