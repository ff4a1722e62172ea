// standardize_test.cpp — the `standardize` extractor through the C ABI:
// against a hand computation, the with_mean/with_std switches, misuse
// (transform before fit), and a save/load round trip that reproduces the
// transform bit for bit while malformed state is refused.
#include "plugin_so.hpp"
#include "schema_check.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {
const char *kStdSo = VIGIL_PLUGIN_DIR "/vigil-standardize-cpu.so";
struct Std : ExtractorTest {
    Std() : ExtractorTest(kStdSo) {}
};

// Three samples, two features: feature 0 = 1, 2, 3; feature 1 constant 10.
//   mean = (2, 10); population variance = ((1-2)^2 + 0 + (3-2)^2) / 3 = 2/3 and 0;
//   std = (sqrt(2/3), 0 -> treated as 1).
const std::vector<float> kTrain = {1, 10, 2, 10, 3, 10};
const std::vector<float> kTest = {1, 10, 4, 12};
} // namespace

TEST_CASE_FIXTURE(Std, "standardize: descriptor and schema") {
    CHECK(std::string(so.desc().name) == "standardize");
    CHECK(so.desc().kind == VIGIL_KIND_EXTRACTOR);
    check_documented_schema(so.desc().params_schema);
    CHECK(static_cast<bool>(api.fit));
    CHECK(static_cast<bool>(api.save));
    CHECK(static_cast<bool>(api.load));
}

TEST_CASE_FIXTURE(Std, "standardize: (x - mean) / std by hand, constant feature divided by 1") {
    const double sd = std::sqrt(2.0 / 3.0);
    struct Case {
        const char *params;
        std::vector<double> expect; // for kTest = (1, 10), (4, 12)
    };
    const Case cases[] = {
        // both: ((1-2)/sd, (10-10)/1), ((4-2)/sd, (12-10)/1)
        {"{}", {-1 / sd, 0, 2 / sd, 2}},
        {R"({"with_mean": true, "with_std": true})", {-1 / sd, 0, 2 / sd, 2}},
        // no centring; std is still taken around the mean (as sklearn): x / sd
        {R"({"with_mean": false})", {1 / sd, 10, 4 / sd, 12}},
        // centring only
        {R"({"with_std": false})", {-1, 0, 2, 2}},
        {R"({"with_mean": false, "with_std": false})", {1, 10, 4, 12}},
    };
    for (const auto &c : cases) {
        CAPTURE(c.params);
        Handle h = null_handle();
        REQUIRE(make(h, c.params) == VIGIL_OK);
        REQUIRE(fit(api, h.get(), kTrain, {3, 2}) == VIGIL_OK);
        std::vector<float> out;
        REQUIRE(transform(api, h.get(), kTest, {2, 2}, out) == VIGIL_OK);
        for (size_t i = 0; i < out.size(); ++i) CHECK(out[i] == static_cast<float>(c.expect[i]));
    }
    CHECK(host.errors.empty());
}

TEST_CASE_FIXTURE(Std, "standardize: uint8 images are flattened; output shape [C*H*W]") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    CHECK(output_dims(api, h.get(), {1, 2, 2}) == std::vector<int64_t>{4});
    // Two 1x2x2 images, standardized per pixel: pixel 0 has 0 and 10 (mean 5, std 5),
    // pixel 1 is constant 7, pixel 2 has 7 and 9 (mean 8, std 1), pixel 3 is constant 255.
    const std::vector<uint8_t> px = {0, 7, 7, 255, 10, 7, 9, 255};
    REQUIRE(fit(api, h.get(), px, {2, 1, 2, 2}) == VIGIL_OK);
    std::vector<float> y;
    REQUIRE(transform(api, h.get(), px, {2, 1, 2, 2}, y) == VIGIL_OK);
    // Image 0: (0-5)/5, 0, (7-8)/1, 0; image 1: (10-5)/5, 0, (9-8)/1, 0.
    CHECK(y == std::vector<float>{-1, 0, -1, 0, 1, 0, 1, 0});
}

TEST_CASE_FIXTURE(Std, "standardize: misuse and bad input") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    std::vector<float> out;
    CHECK(transform(api, h.get(), kTest, {2, 2}, out) == VIGIL_ERR_STATE);
    CHECK(host.last_error.find("transform called before fit") != std::string::npos);
    ByteWriter w;
    CHECK(api.save(h.get(), w.get()) == VIGIL_ERR_STATE);

    std::vector<float> nan = kTrain;
    nan[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK(fit(api, h.get(), nan, {3, 2}) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("sample 1, element 1") != std::string::npos);
    CHECK(fit(api, h.get(), std::vector<float>{}, {0, 2}) == VIGIL_ERR_INVALID_ARGUMENT);

    REQUIRE(fit(api, h.get(), kTrain, {3, 2}) == VIGIL_OK);
    CHECK(transform(api, h.get(), std::vector<float>{1, 2, 3}, {1, 3}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == "standardize: input has 3 features per sample, but fit saw 2");
    std::vector<float> inf = kTest;
    inf[0] = -std::numeric_limits<float>::infinity();
    CHECK(transform(api, h.get(), inf, {2, 2}, out) == VIGIL_ERR_INVALID_ARGUMENT);
}

TEST_CASE_FIXTURE(Std, "standardize: save/load reproduces the transform bit for bit; bad state is refused") {
    std::mt19937 rng(5);
    std::normal_distribution<float> g(3.0f, 2.0f);
    std::vector<float> train(50 * 7), test(9 * 7);
    for (auto &v : train) v = g(rng);
    for (auto &v : test) v = g(rng);

    Handle a = null_handle();
    REQUIRE(make(a) == VIGIL_OK);
    REQUIRE(fit(api, a.get(), train, {50, 7}) == VIGIL_OK);
    std::vector<float> ya, yb;
    REQUIRE(transform(api, a.get(), test, {9, 7}, ya) == VIGIL_OK);
    ByteWriter w;
    REQUIRE(api.save(a.get(), w.get()) == VIGIL_OK);
    CHECK(w.bytes.size() == 4 + 2 * (8 + 7 * 8)); // version, two length-prefixed double arrays

    Handle b = null_handle();
    REQUIRE(make(b) == VIGIL_OK);
    ByteReader r(w.bytes);
    REQUIRE(api.load(b.get(), r.get()) == VIGIL_OK);
    REQUIRE(transform(api, b.get(), test, {9, 7}, yb) == VIGIL_OK);
    CHECK(std::memcmp(ya.data(), yb.data(), ya.size() * sizeof(float)) == 0);

    auto refused = [&](std::vector<uint8_t> state, const char *what) {
        CAPTURE(what);
        Handle c = null_handle();
        REQUIRE(make(c) == VIGIL_OK);
        ByteReader rr(std::move(state));
        CHECK(api.load(c.get(), rr.get()) == VIGIL_ERR_IO);
        CHECK(!host.last_error.empty());
        std::vector<float> out;
        CHECK(transform(api, c.get(), test, {9, 7}, out) == VIGIL_ERR_STATE); // still unfitted
        host.clear();
    };
    std::vector<uint8_t> s = w.bytes;
    s.resize(s.size() - 3);
    refused(s, "truncated");
    s = w.bytes;
    s.push_back(0);
    refused(s, "trailing byte");
    s = w.bytes;
    s[0] = 9;
    refused(s, "unknown version");
    s = w.bytes;
    const uint64_t six = 6; // first array claims 6 means: sizes no longer agree
    std::memcpy(s.data() + 4, &six, 8);
    s.erase(s.begin() + 4 + 8 + 6 * 8, s.begin() + 4 + 8 + 7 * 8);
    refused(s, "inconsistent sizes");
    s = w.bytes;
    const double zero = 0.0; // a zero scale would divide by zero
    std::memcpy(s.data() + 4 + 8 + 7 * 8 + 8, &zero, 8);
    refused(s, "zero scale");
    refused({}, "empty");
}
