// plugin_object_test.cpp — failures inside plugins reach the user as one
// message naming the plugin and the operation; the host survives them.
#include "host_fixture.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/error.hpp>
#include <vigil/framework/plugin_object.hpp>

#include <cmath>
#include <functional>

using namespace vigil;

namespace {
Tensor small_data() {
    Tensor t(VIGIL_DTYPE_FLOAT32, {4, 2});
    const float v[] = {0, 0, 1, 1, 2, 2, 3, 3};
    std::copy(v, v + 8, t.data<float>());
    return t;
}
const PluginLibrary &lib(const Registry &r, const char *name) {
    return r.select(VIGIL_KIND_DETECTOR, name, DeviceChoice::Cpu).variant->lib;
}
} // namespace

TEST_CASE("a fit that throws inside an SDK plugin becomes a status and a message") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_throws"), nlohmann::json::object(), {});
    CHECK(test::error_of([&] { d.fit(small_data(), nullptr); }) ==
          "mock_throws (cpu) fit: mock failure inside fit [VIGIL_ERR_INTERNAL]");
}

TEST_CASE("an exception escaping a raw C plugin is caught and reported as a plugin bug") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_raw"), nlohmann::json::object(), {});
    CHECK(test::error_of([&] { d.fit(small_data(), nullptr); }).find("let a C++ exception escape across the C ABI") !=
          std::string::npos);
}

TEST_CASE("non-finite scores from a plugin are an error, never passed on") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_nan"), nlohmann::json::object(), {});
    d.fit(small_data(), nullptr);
    CHECK(test::error_of([&] { d.score(small_data()); }).find("non-finite score") != std::string::npos);
}

TEST_CASE("scores are computed, and save/load reproduces them bit for bit") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_mean"), {{"scale", 2.0}}, {});
    d.fit(small_data(), nullptr);
    const auto s = d.score(small_data());
    // mean = (1.5, 1.5); sample 0: 2·(1.5² + 1.5²) = 9.
    REQUIRE(s.size() == 4);
    CHECK(s[0] == doctest::Approx(9.0f));
    CHECK(s[1] == doctest::Approx(1.0f));
    DetectorObject e(lib(r, "mock_mean"), {{"scale", 2.0}}, {});
    e.load(d.save());
    CHECK(e.score(small_data()) == s);
}

TEST_CASE("truncated state on load is refused with the plugin's message") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_mean"), nlohmann::json::object(), {});
    d.fit(small_data(), nullptr);
    auto state = d.save();
    state.resize(state.size() - 3);
    DetectorObject e(lib(r, "mock_mean"), nlohmann::json::object(), {});
    const std::string m = test::error_of([&] { e.load(state); });
    CHECK(m.find("mock_mean (cpu) load:") == 0);
    CHECK(m.find("[VIGIL_ERR_IO]") != std::string::npos);
}

TEST_CASE("NaN input is rejected naming the sample") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_mean"), nlohmann::json::object(), {});
    Tensor x = small_data();
    x.data<float>()[5] = std::nanf("");
    CHECK(test::error_of([&] { d.fit(x, nullptr); }).find("non-finite value (NaN or Inf) in sample 2, element 1") !=
          std::string::npos);
}

TEST_CASE("score before fit is a state error") {
    const Registry r = test::registry_with_mocks();
    DetectorObject d(lib(r, "mock_mean"), nlohmann::json::object(), {});
    CHECK(test::error_of([&] { d.score(small_data()); }).find("[VIGIL_ERR_STATE]") != std::string::npos);
}
