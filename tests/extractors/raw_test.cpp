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

struct Raw : ExtractorTest {
    Raw() : ExtractorTest(kRawSo) {}
};
} // namespace

TEST_CASE_FIXTURE(Raw, "raw: descriptor, schema and output shape") {
    CHECK(std::string(so.desc().name) == "raw");
    CHECK(so.desc().kind == VIGIL_KIND_EXTRACTOR);
    CHECK(so.desc().backend == VIGIL_BACKEND_CPU);
    check_documented_schema(so.desc().params_schema);
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    CHECK(output_dims(api, h.get(), {1, 28, 28}) == std::vector<int64_t>{784});
    vigil_shape out{};
    CHECK(output_shape(api, h.get(), {3, 0}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(!host.last_error.empty());
}

TEST_CASE_FIXTURE(Raw, "raw: uint8 pixels are divided by 255, float32 passes through") {
    Handle h = null_handle();
    REQUIRE(make(h, R"({"scale": "auto"})") == VIGIL_OK);
    // Two 1x2x2 images.
    const std::vector<uint8_t> px = {0, 51, 255, 102, 1, 2, 3, 4};
    std::vector<float> out;
    REQUIRE(transform(api, h.get(), px, {2, 1, 2, 2}, out) == VIGIL_OK);
    // 51/255 = 0.2, 102/255 = 0.4, each rounded once to float.
    CHECK(out == std::vector<float>{0.0f, 0.2f, 1.0f, 0.4f, static_cast<float>(1 / 255.0),
                                    static_cast<float>(2 / 255.0), static_cast<float>(3 / 255.0),
                                    static_cast<float>(4 / 255.0)});
    const std::vector<float> f = {-1.5f, 0.0f, 3.25f, 1e30f, 7.0f, 8.0f};
    REQUIRE(transform(api, h.get(), f, {2, 3}, out) == VIGIL_OK);
    CHECK(std::memcmp(out.data(), f.data(), f.size() * sizeof(float)) == 0);
}

TEST_CASE_FIXTURE(Raw, "raw: a numeric scale multiplies whatever the input type") {
    Handle h = null_handle();
    REQUIRE(make(h, R"({"scale": 2})") == VIGIL_OK);
    std::vector<float> out;
    REQUIRE(transform(api, h.get(), std::vector<uint8_t>{0, 51, 255}, {1, 3}, out) == VIGIL_OK);
    CHECK(out == std::vector<float>{0.0f, 102.0f, 510.0f});
    REQUIRE(transform(api, h.get(), std::vector<float>{-0.5f, 4.0f}, {2, 1}, out) == VIGIL_OK);
    CHECK(out == std::vector<float>{-1.0f, 8.0f});
    // 3e38 * 2 exceeds FLT_MAX: refused rather than turned into Inf.
    CHECK(transform(api, h.get(), std::vector<float>{3e38f}, {1, 1}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("overflows float32") != std::string::npos);
}

TEST_CASE_FIXTURE(Raw, "raw: non-finite input, other dtypes and bad parameters are refused") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    std::vector<float> out;
    const std::vector<float> nan = {0.0f, 1.0f, 2.0f, std::numeric_limits<float>::quiet_NaN()};
    CHECK(transform(api, h.get(), nan, {2, 2}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("sample 1, element 1") != std::string::npos);
    CHECK(transform(api, h.get(), std::vector<int32_t>{1, 2}, {1, 2}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("uint8 or float32") != std::string::npos);
    Handle bad = null_handle();
    CHECK(make(bad, R"({"scale": "unit"})") == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("\"auto\" or a number") != std::string::npos);
}
