// cuda_variants_test.cpp — the cuda variants of knn and mahalanobis: without a
// device they load, probe 0 with a reason, and refuse to create with
// VIGIL_ERR_NO_DEVICE; with one, they agree with the cpu variants.
#include "detector_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

using namespace vigil;

namespace {
const char *kMethods[] = {"knn", "mahalanobis"};
}

TEST_CASE("cuda variants: clean 'no device' here, agreement with cpu where a GPU exists") {
    for (const char *name : kMethods) {
        CAPTURE(name);
        const std::string path = std::string(VIGIL_PLUGIN_DIR) + "/vigil-" + name + "-cuda.so";
        if (!std::filesystem::exists(path)) {
            MESSAGE("skipped: " << path << " was not built (no CUDA toolkit at configure time)");
            continue;
        }
        const PluginGroup *g = test::plugins().find(VIGIL_KIND_DETECTOR, name);
        REQUIRE(g != nullptr);
        const Variant *cuda = nullptr;
        for (const auto &v : g->variants)
            if (v.lib.backend() == VIGIL_BACKEND_CUDA) cuda = &v;
        REQUIRE(cuda != nullptr);
        if (cuda->score == 0) {
            CHECK(cuda->unusable_why.find("no usable CUDA device") == 0);
            const std::string err = test::error_of([&] { test::detector(name, nlohmann::json::object(), VIGIL_BACKEND_CUDA); });
            CHECK(err.find(std::string(name) + " (cuda) create: no usable CUDA device") == 0);
            CHECK(err.find("[VIGIL_ERR_NO_DEVICE]") != std::string::npos);
            CHECK(test::plugins().select(VIGIL_KIND_DETECTOR, name, DeviceChoice::Auto).variant->lib.backend() ==
                  VIGIL_BACKEND_CPU);
            MESSAGE("cpu-vs-cuda agreement skipped: " << cuda->unusable_why);
            continue;
        }
        // A device is present: both variants score the same data within 1e-4 relative.
        const Tensor train = test::random_tensor(5000, 64, 11), q = test::random_tensor(3000, 64, 12, 0.3f);
        auto c = test::detector(name, nlohmann::json::object(), VIGIL_BACKEND_CPU);
        auto g2 = test::detector(name, nlohmann::json::object(), VIGIL_BACKEND_CUDA);
        c->fit(train, nullptr);
        g2->fit(train, nullptr);
        const auto a = c->score(q), b = g2->score(q);
        double worst = 0;
        for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])) / std::max(1.0f, a[i]));
        MESSAGE(name << ": max relative cpu-vs-cuda difference " << worst);
        CHECK(worst < 1e-4);
    }
}
