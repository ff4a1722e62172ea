// svm_cuda_variants_test.cpp — the cuda variants of ocsvm and svdd, through
// the C ABI: with a device they agree with the cpu variants (otherwise a
// MESSAGE says the agreement test was skipped and why). The no-device path of
// every cuda variant is cuda_no_device_test.cpp.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace vigil::test;

TEST_CASE("svm cuda variants agree with the cpu variants where a GPU is usable") {
    bool ran = false;
    std::string why = "the cuda variants were not built";
    if (plugin_built("ocsvm", "cuda") && plugin_built("svdd", "cuda")) {
        PluginSo so(plugin_path("ocsvm", "cuda"));
        ran = probe(so, why) > 0;
    }
    if (!ran) {
        MESSAGE("svm cpu-vs-cuda agreement skipped: " << why);
        return;
    }
    // The kernel rows come from oneDNN vs cuBLAS FP32 GEMMs, equal up to float
    // rounding of the dot products (~1e-6 relative in K). SMO may then take a
    // slightly different path inside its tol-neighbourhood of the optimum, so
    // with tol 1e-6 the decision functions agree to ~1e-4 relative.
    const Matrix train = random_matrix(3000, 32, 21), q = random_matrix(2000, 32, 22, 0.3f);
    struct Case {
        const char *name, *params;
    };
    for (const Case c : {Case{"ocsvm", R"({"nu": 0.2, "tol": 1e-6})"}, Case{"ocsvm", R"({"kernel": "poly", "nu": 0.3, "gamma": 0.03, "coef0": 1, "tol": 1e-6})"},
                         Case{"ocsvm", R"({"nu": 0.1, "tol": 1e-6, "cache_size": 2})"},
                         Case{"svdd", R"({"C": 0.002, "tol": 1e-8})"}}) {
        CAPTURE(std::string(c.name));
        CAPTURE(std::string(c.params));
        Detector cpu(plugin_path(c.name, "cpu"), c.params), gpu(plugin_path(c.name, "cuda"), c.params);
        REQUIRE(gpu.status == VIGIL_OK);
        REQUIRE(cpu.fit(train) == VIGIL_OK);
        REQUIRE(gpu.fit(train) == VIGIL_OK);
        const auto sc = cpu.scores(q), sg = gpu.scores(q);
        const double w = worst_rel(sc, sg);
        MESSAGE(c.name << " " << c.params << ": max relative cpu-vs-cuda difference " << w);
        CHECK(w < 1e-4);
        // The state is backend-neutral: a cuda-fitted model scores on cpu.
        std::vector<uint8_t> state;
        REQUIRE(gpu.save(state) == VIGIL_OK);
        Detector back(plugin_path(c.name, "cpu"), c.params);
        REQUIRE(back.load(state) == VIGIL_OK);
        CHECK(worst_rel(back.scores(q), sg) < 1e-5);
    }
}
