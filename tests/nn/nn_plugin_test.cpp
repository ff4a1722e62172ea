// nn_plugin_test.cpp — the engine inside a real plugin module: the test
// double tests/mock_plugins/mock_nn_autoencoder.cpp is built by
// vigil_add_plugin(... NN CUDA TEST_ONLY) and loaded through the host's
// registry, as a deep plugin of issue 5 will be.
#include "host_fixture.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/plugin_object.hpp>
#include <vigil/framework/registry.hpp>
#include <vigil/framework/tensor.hpp>

#include <algorithm>
#include <filesystem>
#include <random>

using namespace vigil;

namespace {

const char *kDir = VIGIL_BINARY_DIR "/tests/nn_plugins";

// Normal samples lie on a 2-d plane inside 8-d space (+ small noise);
// the last 10 rows leave the plane. An autoencoder with a 2-wide bottleneck
// reconstructs the plane, not the rest.
Tensor plane_data(int64_t normal, int64_t off_plane, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const int64_t d = 8;
    Tensor t(VIGIL_DTYPE_FLOAT32, {normal + off_plane, d});
    float *p = t.data<float>();
    for (int64_t i = 0; i < normal + off_plane; ++i) {
        const float a = g(rng), b = g(rng);
        for (int64_t j = 0; j < d; ++j) {
            p[i * d + j] = a * static_cast<float>(j % 3) * 0.5f + b * static_cast<float>((j + 1) % 2) + 0.01f * g(rng);
            if (i >= normal) p[i * d + j] += 2.0f * g(rng);  // off the plane
        }
    }
    return t;
}

const PluginLibrary &cpu_lib(const Registry &r) {
    return r.select(VIGIL_KIND_DETECTOR, "mock_nn_autoencoder", DeviceChoice::Cpu).variant->lib;
}

} // namespace

TEST_CASE("a plugin built with vigil_add_plugin(NN) trains, scores, and saves/loads bit for bit") {
    Registry r;
    r.scan({kDir});
    REQUIRE(r.find(VIGIL_KIND_DETECTOR, "mock_nn_autoencoder") != nullptr);
    const nlohmann::json params = {{"hidden", 2}, {"epochs", 60}};
    DetectorObject d(cpu_lib(r), params, {7, 2});
    d.fit(plane_data(400, 0, 1), nullptr);
    const Tensor test = plane_data(200, 10, 2);
    const std::vector<float> s = d.score(test);
    REQUIRE(s.size() == 210);
    // Every off-plane sample scores above the 95th percentile of the normal ones.
    std::vector<float> normal(s.begin(), s.begin() + 200);
    std::sort(normal.begin(), normal.end());
    const float q95 = normal[190];
    for (size_t i = 200; i < 210; ++i) CHECK(s[i] > q95);

    DetectorObject e(cpu_lib(r), params, {7, 2});
    e.load(d.save());
    CHECK(e.score(test) == s);

    // Same seed, same scores; another seed, other weights.
    DetectorObject same(cpu_lib(r), params, {7, 1});
    same.fit(plane_data(400, 0, 1), nullptr);
    const std::vector<float> s_same = same.score(test);
    for (size_t i = 0; i < s.size(); ++i) CHECK(s_same[i] == doctest::Approx(s[i]).epsilon(1e-4));
    DetectorObject other(cpu_lib(r), params, {8, 2});
    other.fit(plane_data(400, 0, 1), nullptr);
    CHECK(other.score(test) != s);
}

TEST_CASE("the nn plugin's errors are clean: bad parameters, truncated state, NaN input") {
    Registry r;
    r.scan({kDir});
    CHECK(test::error_of([&] { DetectorObject(cpu_lib(r), {{"hidden", 0}}, {}); })
              .find("parameter hidden must be an integer in 1..4096, got 0") != std::string::npos);
    CHECK(test::error_of([&] { DetectorObject(cpu_lib(r), {{"layers", 3}}, {}); })
              .find("unknown parameter 'layers'") != std::string::npos);
    DetectorObject d(cpu_lib(r), {{"epochs", 2}}, {});
    d.fit(plane_data(50, 0, 3), nullptr);
    std::vector<uint8_t> state = d.save();
    state.resize(state.size() / 2);
    DetectorObject e(cpu_lib(r), {{"epochs", 2}}, {});
    CHECK(test::error_of([&] { e.load(state); }).find("[VIGIL_ERR_IO]") != std::string::npos);
    Tensor bad = plane_data(50, 0, 3);
    bad.data<float>()[17] = std::nanf("");
    CHECK(test::error_of([&] { e.fit(bad, nullptr); }).find("non-finite value") != std::string::npos);
}

TEST_CASE("the nn plugin's cuda variant is there when CUDA was built, and says why it cannot run") {
    if (!std::filesystem::exists(std::string(kDir) + "/vigil-mock_nn_autoencoder-cuda.so")) {
        MESSAGE("no cuda variant built (VIGIL_WITH_CUDA off or no toolkit): nothing to check");
        return;
    }
    Registry r;
    r.scan({kDir});
    const PluginGroup *g = r.find(VIGIL_KIND_DETECTOR, "mock_nn_autoencoder");
    REQUIRE(g != nullptr);
    REQUIRE(g->variants.size() == 2);
    const Variant &cuda = g->variants[1];
    if (cuda.score == 0) {
        MESSAGE("cuda variant loaded; no device here: " << cuda.unusable_why);
        CHECK(!cuda.unusable_why.empty());
        CHECK(test::error_of([&] { (void)r.select(VIGIL_KIND_DETECTOR, "mock_nn_autoencoder", DeviceChoice::Cuda); })
                  .find(cuda.unusable_why) != std::string::npos);
    } else {
        // With a device: cuda scores agree with cpu on the same seed.
        DetectorObject c(cpu_lib(r), {{"hidden", 2}, {"epochs", 20}}, {7, 2});
        DetectorObject g2(cuda.lib, {{"hidden", 2}, {"epochs", 20}}, {7, 2});
        c.fit(plane_data(400, 0, 1), nullptr);
        g2.fit(plane_data(400, 0, 1), nullptr);
        const Tensor test = plane_data(100, 5, 2);
        const auto a = c.score(test), b = g2.score(test);
        for (size_t i = 0; i < a.size(); ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(1e-3));
    }
}
