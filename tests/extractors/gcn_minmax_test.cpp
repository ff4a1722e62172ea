// gcn_minmax_test.cpp — the `gcn_minmax` extractor (Deep SVDD preprocessing)
// through the C ABI: a hand computation on tiny 2x2 images, uint8/float
// equivalence (GCN is scale invariant), shape kept, errors, save/load.
#include "plugin_so.hpp"
#include "schema_check.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {
const char *kGcnSo = VIGIL_PLUGIN_DIR "/vigil-gcn_minmax-cpu.so";
struct Gcn : ExtractorTest {
    Gcn() : ExtractorTest(kGcnSo) {}
};

// Two 1x2x2 training images.
//   a = (1, 2, 3, 6): mean 3, centred (-2, -1, 0, 3), mean |.| = 6/4 = 1.5,
//       GCN = (-4/3, -2/3, 0, 2).
//   b = (0, 0, 0, 4): mean 1, centred (-1, -1, -1, 3), mean |.| = 6/4 = 1.5,
//       GCN = (-2/3, -2/3, -2/3, 2).
//   min = -4/3, max = 2, max - min = 10/3; (g - min) / (10/3):
//       a -> (0, 0.2, 0.4, 1),  b -> (0.2, 0.2, 0.2, 1).
const std::vector<float> kTrain = {1, 2, 3, 6, 0, 0, 0, 4};
const std::vector<float> kExpect = {0.0f, 0.2f, 0.4f, 1.0f, 0.2f, 0.2f, 0.2f, 1.0f};
const std::vector<int64_t> kShape = {2, 1, 2, 2};

void check_close(const std::vector<float> &got, const std::vector<float> &want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i);
        CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-6));
    }
}
} // namespace

TEST_CASE_FIXTURE(Gcn, "gcn_minmax: descriptor, schema, shape kept") {
    CHECK(std::string(so.desc().name) == "gcn_minmax");
    CHECK(so.desc().kind == VIGIL_KIND_EXTRACTOR);
    check_documented_schema(so.desc().params_schema);
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    CHECK(output_dims(api, h.get(), {1, 28, 28}) == std::vector<int64_t>{1, 28, 28});
}

TEST_CASE_FIXTURE(Gcn, "gcn_minmax: GCN then min-max, by hand on 2x2 images") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    REQUIRE(fit(api, h.get(), kTrain, kShape) == VIGIL_OK);
    std::vector<float> out;
    REQUIRE(transform(api, h.get(), kTrain, kShape, out) == VIGIL_OK);
    check_close(out, kExpect);

    // uint8 input, no /255: GCN is scale invariant, so 10x image a gives a's result.
    REQUIRE(transform(api, h.get(), std::vector<uint8_t>{10, 20, 30, 60}, {1, 1, 2, 2}, out) == VIGIL_OK);
    check_close(out, {0.0f, 0.2f, 0.4f, 1.0f});
    // A test image beyond the training range maps outside [0, 1]:
    //   (0, 1, 1, 1): mean 3/4, centred (-3/4, 1/4, 1/4, 1/4), mean |.| = 3/8,
    //   GCN = (-2, 2/3, 2/3, 2/3) -> ((-2 + 4/3), (2/3 + 4/3)) / (10/3) = (-0.2, 0.6).
    REQUIRE(transform(api, h.get(), std::vector<float>{0, 1, 1, 1}, {1, 1, 2, 2}, out) == VIGIL_OK);
    check_close(out, {-0.2f, 0.6f, 0.6f, 0.6f});
    // A constant image has mean |x - mean| = 0: it stays zeros after GCN (no NaN),
    // i.e. (0 + 4/3) / (10/3) = 0.4 everywhere.
    REQUIRE(transform(api, h.get(), std::vector<float>{5, 5, 5, 5}, {1, 1, 2, 2}, out) == VIGIL_OK);
    check_close(out, {0.4f, 0.4f, 0.4f, 0.4f});
    CHECK(host.errors.empty());
}

TEST_CASE_FIXTURE(Gcn, "gcn_minmax: errors") {
    Handle h = null_handle();
    REQUIRE(make(h) == VIGIL_OK);
    std::vector<float> out;
    CHECK(transform(api, h.get(), kTrain, kShape, out) == VIGIL_ERR_STATE);
    CHECK(host.last_error.find("transform called before fit") != std::string::npos);

    // Every training image constant -> every GCN'd value 0 -> no range.
    CHECK(fit(api, h.get(), std::vector<uint8_t>{3, 3, 3, 3, 9, 9, 9, 9}, kShape) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("training data is constant after GCN") != std::string::npos);

    std::vector<float> nan = kTrain;
    nan[6] = std::numeric_limits<float>::quiet_NaN();
    CHECK(fit(api, h.get(), nan, kShape) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("sample 1, element 2") != std::string::npos);
    REQUIRE(fit(api, h.get(), kTrain, kShape) == VIGIL_OK);
    CHECK(transform(api, h.get(), nan, kShape, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(fit(api, h.get(), std::vector<int32_t>{1, 2, 3, 4}, {1, 4}) == VIGIL_ERR_INVALID_ARGUMENT);
}

TEST_CASE_FIXTURE(Gcn, "gcn_minmax: save/load keeps min and max; bad state is refused") {
    Handle a = null_handle();
    REQUIRE(make(a) == VIGIL_OK);
    REQUIRE(fit(api, a.get(), kTrain, kShape) == VIGIL_OK);
    ByteWriter w;
    REQUIRE(api.save(a.get(), w.get()) == VIGIL_OK);
    CHECK(w.bytes.size() == 4 + 8 + 8);

    const std::vector<float> test = {0.5f, -3, 2, 8, 1, 1, 0, 2};
    std::vector<float> ya, yb;
    REQUIRE(transform(api, a.get(), test, kShape, ya) == VIGIL_OK);
    Handle b = null_handle();
    REQUIRE(make(b) == VIGIL_OK);
    ByteReader r(w.bytes);
    REQUIRE(api.load(b.get(), r.get()) == VIGIL_OK);
    REQUIRE(transform(api, b.get(), test, kShape, yb) == VIGIL_OK);
    CHECK(std::memcmp(ya.data(), yb.data(), ya.size() * sizeof(float)) == 0);

    auto refused = [&](std::vector<uint8_t> state) {
        Handle c = null_handle();
        REQUIRE(make(c) == VIGIL_OK);
        ByteReader rr(std::move(state));
        CHECK(api.load(c.get(), rr.get()) == VIGIL_ERR_IO);
        CHECK(!host.last_error.empty());
        host.clear();
    };
    std::vector<uint8_t> s = w.bytes;
    s.pop_back();
    refused(s);
    s = w.bytes;
    s.push_back(1);
    refused(s);
    s = w.bytes;
    std::memcpy(s.data() + 12, s.data() + 4, 8); // max = min
    refused(s);
    s = w.bytes;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::memcpy(s.data() + 4, &nan, 8);
    refused(s);
}
