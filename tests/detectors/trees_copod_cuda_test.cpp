// trees_copod_cuda_test.cpp — the cuda variants of iforest and copod, through
// the C ABI (the no-device path of every cuda variant is
// cuda_no_device_test.cpp). With a device they must give the same
// bits as the cpu variants: both variants share the per-(sample, tree) walk
// (iforest/forest.hpp) and the per-(sample, chunk) tail sums (copod/ecdf.hpp),
// and the host adds the kernels' outputs in the cpu variant's order.
// Otherwise a MESSAGE says the agreement test was skipped and why.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace vigil::test;

namespace {

const char *const kNames[] = {"iforest", "copod"};

size_t differing(const std::vector<float> &a, const std::vector<float> &b) {
    size_t n = 0;
    for (size_t i = 0; i < a.size(); ++i) n += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
    return n;
}

double worst_rel_strict(const std::vector<float> &a, const std::vector<float> &b) {
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i)
        w = std::max(w, double(std::abs(a[i] - b[i])) / std::max(1e-30, double(std::abs(a[i]))));
    return w;
}

} // namespace

TEST_CASE("iforest and copod cuda variants give the cpu variants' bits where a GPU is usable") {
    bool ran = false;
    std::string why = "the cuda variants were not built";
    if (plugin_built("iforest", "cuda") && plugin_built("copod", "cuda")) {
        PluginSo so(plugin_path("iforest", "cuda"));
        ran = probe(so, why) > 0;
    }
    if (!ran) {
        MESSAGE("iforest/copod cpu-vs-cuda agreement skipped: " << why);
        return;
    }
    // 784 features (13 copod chunks, the last one partial) and 10,000 scored
    // samples: two launches of 8192 samples, the second partial.
    Matrix train = random_matrix(3000, 784, 71), q = random_matrix(10000, 784, 72, 0.2f);
    for (Matrix *m : {&train, &q})
        for (float &v : m->v) v = std::round(v * 8.0f) / 8.0f;  // ties, as in pixel data
    for (int64_t i = 0; i < train.n; ++i) train.at(i, 0) = 0.0f;  // a constant feature
    struct Case {
        const char *name, *params;
    };
    for (const Case c : {Case{"iforest", "{}"}, Case{"iforest", R"({"trees": 7, "max_samples": 2000, "max_features": 0.3})"},
                         Case{"copod", "{}"}}) {
        CAPTURE(std::string(c.name) + " " + c.params);
        Detector cpu(plugin_path(c.name, "cpu"), c.params, 2), gpu(plugin_path(c.name, "cuda"), c.params, 2);
        REQUIRE(gpu.status == VIGIL_OK);
        cpu.host_table.seed = gpu.host_table.seed = 3;
        REQUIRE(cpu.fit(train) == VIGIL_OK);
        REQUIRE(gpu.fit(train) == VIGIL_OK);
        const auto a = cpu.scores(q), b = gpu.scores(q);
        MESSAGE(c.name << " " << c.params << ": " << differing(a, b) << " of " << a.size()
                       << " scores differ between cpu and cuda, max relative difference " << worst_rel_strict(a, b));
        CHECK(differing(a, b) == 0);
        // The state is backend-neutral: cuda's state loaded on cpu gives the same bits.
        std::vector<uint8_t> sg, sc;
        REQUIRE(gpu.save(sg) == VIGIL_OK);
        REQUIRE(cpu.save(sc) == VIGIL_OK);
        CHECK(sg == sc);
        Detector back(plugin_path(c.name, "cpu"), c.params);
        REQUIRE(back.load(sg) == VIGIL_OK);
        CHECK(differing(back.scores(q), b) == 0);
    }
}
