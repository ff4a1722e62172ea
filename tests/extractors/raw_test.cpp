// raw_test.cpp — the `raw` extractor through the C ABI: flattening, uint8
// scaling ("auto" = /255), numeric scale factors, and refused input.
#include "plugin_so.hpp"
#include "schema_check.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {
const char *kRawSo = VIGIL_PLUGIN_DIR "/vigil-raw-cpu.so";

// transform() of a whole batch; returns the status, fills out.
template <class T>
vigil_status run(const vigil_extractor_iface &ex, vigil_handle h, const std::vector<T> &in,
                 const std::vector<int64_t> &shape, std::vector<float> &out) {
    int64_t per = 1;
    for (size_t i = 1; i < shape.size(); ++i) per *= shape[i];
    out.assign(static_cast<size_t>(shape[0] * per), -1.0f);
    const vigil_tensor x = view(in.data(), shape);
    vigil_tensor y = view(out.data(), {shape[0], per});
    return ex.transform(h, &x, &y);
}
} // namespace

TEST_CASE("raw: descriptor, schema and output shape") {
    PluginSo so(kRawSo);
    CHECK(std::string(so.desc().name) == "raw");
    CHECK(so.desc().kind == VIGIL_KIND_EXTRACTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    check_documented_schema(so.desc().params_schema);
    RecordingHost host;
    Handle h = null_handle();
    REQUIRE(create(so.extractor(), "{}", host, h) == VIGIL_OK);
    vigil_shape out{};
    const vigil_shape img = shape_of({1, 28, 28});
    REQUIRE(so.extractor().output_shape(h.get(), &img, &out) == VIGIL_OK);
    CHECK(out.rank == 1);
    CHECK(out.dims[0] == 784);
    const vigil_shape empty = shape_of({3, 0});
    CHECK(so.extractor().output_shape(h.get(), &empty, &out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(!host.last_error.empty());
}

TEST_CASE("raw: uint8 pixels are divided by 255, float32 passes through") {
    PluginSo so(kRawSo);
    const auto &ex = so.extractor();
    RecordingHost host;
    Handle h = null_handle();
    REQUIRE(create(ex, R"({"scale": "auto"})", host, h) == VIGIL_OK);
    // Two 1x2x2 images.
    const std::vector<uint8_t> px = {0, 51, 255, 102, 1, 2, 3, 4};
    std::vector<float> out;
    REQUIRE(run(ex, h.get(), px, {2, 1, 2, 2}, out) == VIGIL_OK);
    // 51/255 = 0.2, 102/255 = 0.4, each rounded once to float.
    CHECK(out == std::vector<float>{0.0f, 0.2f, 1.0f, 0.4f, static_cast<float>(1 / 255.0),
                                    static_cast<float>(2 / 255.0), static_cast<float>(3 / 255.0),
                                    static_cast<float>(4 / 255.0)});
    const std::vector<float> f = {-1.5f, 0.0f, 3.25f, 1e30f, 7.0f, 8.0f};
    REQUIRE(run(ex, h.get(), f, {2, 3}, out) == VIGIL_OK);
    CHECK(std::memcmp(out.data(), f.data(), f.size() * sizeof(float)) == 0);
}

TEST_CASE("raw: a numeric scale multiplies whatever the input type") {
    PluginSo so(kRawSo);
    const auto &ex = so.extractor();
    RecordingHost host;
    Handle h = null_handle();
    REQUIRE(create(ex, R"({"scale": 2})", host, h) == VIGIL_OK);
    std::vector<float> out;
    REQUIRE(run(ex, h.get(), std::vector<uint8_t>{0, 51, 255}, {1, 3}, out) == VIGIL_OK);
    CHECK(out == std::vector<float>{0.0f, 102.0f, 510.0f});
    REQUIRE(run(ex, h.get(), std::vector<float>{-0.5f, 4.0f}, {2, 1}, out) == VIGIL_OK);
    CHECK(out == std::vector<float>{-1.0f, 8.0f});
    // 3e38 * 2 exceeds FLT_MAX: refused rather than turned into Inf.
    CHECK(run(ex, h.get(), std::vector<float>{3e38f}, {1, 1}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("overflows float32") != std::string::npos);
}

TEST_CASE("raw: non-finite input, other dtypes and bad parameters are refused") {
    PluginSo so(kRawSo);
    const auto &ex = so.extractor();
    RecordingHost host;
    Handle h = null_handle();
    REQUIRE(create(ex, "{}", host, h) == VIGIL_OK);
    std::vector<float> out;
    const std::vector<float> nan = {0.0f, 1.0f, 2.0f, std::numeric_limits<float>::quiet_NaN()};
    CHECK(run(ex, h.get(), nan, {2, 2}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("sample 1, element 1") != std::string::npos);
    CHECK(run(ex, h.get(), std::vector<int32_t>{1, 2}, {1, 2}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("uint8 or float32") != std::string::npos);
    Handle bad = null_handle();
    CHECK(create(ex, R"({"scale": "unit"})", host, bad) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("\"auto\" or a number") != std::string::npos);
}
