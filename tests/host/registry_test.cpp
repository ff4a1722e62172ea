// registry_test.cpp — plugin discovery, refusals with reasons, and the
// load-time backend choice, on mock plugins built for the purpose.
#include "host_fixture.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/error.hpp>

using namespace vigil;

namespace {
std::string refusal_for(const Registry &r, const std::string &file) {
    for (const auto &ref : r.refusals())
        if (ref.path.find(file) != std::string::npos) return ref.reason;
    return "";
}
} // namespace

TEST_CASE("broken plugin libraries are refused with a reason and the scan goes on") {
    const Registry r = test::registry_with_mocks();
    CHECK(refusal_for(r, "vigil-mock_bad_abi-cpu.so").find("built for Vigil ABI 2.0, but this host speaks ABI 1.0") !=
          std::string::npos);
    CHECK(refusal_for(r, "vigil-mock_no_entry-cpu.so").find("does not export the entry symbol 'vigil_plugin_entry'") !=
          std::string::npos);
    CHECK(refusal_for(r, "vigil-mock_garbage-cpu.so").find("cannot load library") != std::string::npos);
    CHECK(refusal_for(r, "vigil-mock_null_entry-cpu.so").find("returned no descriptor") != std::string::npos);
    // The good ones after the broken ones in the same folder were still loaded.
    REQUIRE(r.find(VIGIL_KIND_DETECTOR, "mock_mean") != nullptr);
    CHECK(r.find(VIGIL_KIND_DETECTOR, "mock_mean")->variants.size() == 2);
    CHECK(r.find(VIGIL_KIND_DETECTOR, "mock_raw") != nullptr);  // the escape mock loads; it fails only in fit
}

TEST_CASE("a missing plugin folder is reported, not fatal") {
    Registry r;
    r.scan({"/nonexistent/vigil-plugins"});
    REQUIRE(r.refusals().size() == 1);
    CHECK(r.refusals()[0].reason == "plugin folder does not exist");
}

TEST_CASE("auto picks cpu when the cuda variant has no device, and says why") {
    const Registry r = test::registry_with_mocks();
    const Selection s = r.select(VIGIL_KIND_DETECTOR, "mock_mean", DeviceChoice::Auto);
    CHECK(s.variant->lib.backend() == VIGIL_BACKEND_CPU);
    CHECK(s.why.find("cpu") == 0);
    CHECK(s.why.find("cuda variant cannot run here: no usable CUDA device: mock device absent") != std::string::npos);
}

TEST_CASE("forcing cuda without a device is a clear error") {
    const Registry r = test::registry_with_mocks();
    try {
        r.select(VIGIL_KIND_DETECTOR, "mock_mean", DeviceChoice::Cuda);
        FAIL("expected an error");
    } catch (const Error &e) {
        CHECK(e.kind() == ErrorKind::Plugin);
        CHECK(std::string(e.what()) ==
              "detector 'mock_mean': cuda variant cannot run here: no usable CUDA device: mock device absent");
    }
}

TEST_CASE("auto picks the highest probe score; forcing cpu overrides it") {
    const Registry r = test::registry_with_mocks();
    CHECK(r.select(VIGIL_KIND_DETECTOR, "mock_fast", DeviceChoice::Auto).variant->lib.backend() == VIGIL_BACKEND_CUDA);
    const Selection cpu = r.select(VIGIL_KIND_DETECTOR, "mock_fast", DeviceChoice::Cpu);
    CHECK(cpu.variant->lib.backend() == VIGIL_BACKEND_CPU);
    CHECK(cpu.why == "cpu (forced by device=cpu)");
}

TEST_CASE("an unknown plugin name suggests the closest one") {
    const Registry r = test::registry_with_mocks();
    try {
        r.select(VIGIL_KIND_DETECTOR, "mock_maen", DeviceChoice::Auto);
        FAIL("expected an error");
    } catch (const Error &e) {
        CHECK(std::string(e.what()).find("unknown detector 'mock_maen' (did you mean 'mock_mean'?)") == 0);
    }
}

TEST_CASE("a library of the same name and backend in a later folder is shadowed") {
    Registry r;
    r.scan({VIGIL_MOCK_PLUGIN_DIR, VIGIL_MOCK_PLUGIN_DIR});
    CHECK(refusal_for(r, "vigil-mock_mean-cpu.so").find("shadowed by") != std::string::npos);
    CHECK(r.find(VIGIL_KIND_DETECTOR, "mock_mean")->variants.size() == 2);
}

TEST_CASE("closest_name uses edit distance up to 3") {
    CHECK(closest_name("knm", {"knn", "mahalanobis"}) == "knn");
    CHECK(closest_name("zzzzzzz", {"knn", "mahalanobis"}).empty());
}
