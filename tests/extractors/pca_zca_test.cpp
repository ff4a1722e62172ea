// pca_zca_test.cpp — the `pca` and `zca` extractors through the C ABI: against
// scikit-learn / numpy (tests/reference/gen_classic.py), output shapes known
// before fit, uint8 input, whitening really whitens, save/load round trip.
#include "plugin_so.hpp"
#include "schema_check.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace vigil::test;

namespace {
const char *kPcaSo = VIGIL_PLUGIN_DIR "/vigil-pca_extractor-cpu.so";
const char *kZcaSo = VIGIL_PLUGIN_DIR "/vigil-zca-cpu.so";
struct Pca : ExtractorTest {
    Pca() : ExtractorTest(kPcaSo) {}
};
struct Zca : ExtractorTest {
    Zca() : ExtractorTest(kZcaSo) {}
};

const nlohmann::json &ref() {
    static const nlohmann::json j = [] {
        std::ifstream f(std::string(VIGIL_SOURCE_DIR) + "/tests/reference/classic_reference.json");
        return nlohmann::json::parse(f);
    }();
    return j;
}
std::vector<float> flat(const char *key) {
    std::vector<float> out;
    for (const auto &row : ref().at(key))
        for (const auto &v : row) out.push_back(v.get<float>());
    return out;
}
std::vector<double> flat_d(const char *key) {
    std::vector<double> out;
    for (const auto &row : ref().at(key))
        for (const auto &v : row) out.push_back(v.get<double>());
    return out;
}

// Largest absolute difference. Axis signs follow scikit-learn's convention
// (orient_like_sklearn), so the outputs compare directly, signs included.
double worst_abs(const std::vector<float> &got, const std::vector<double> &want) {
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
    return worst;
}

std::vector<float> fit_transform(const ExtractorTest &t, Handle &h, const char *params, const std::vector<float> &train,
                                 const std::vector<float> &test, int64_t d) {
    REQUIRE(t.make(h, params) == VIGIL_OK);
    REQUIRE_MESSAGE(fit(t.api, h.get(), train, {static_cast<int64_t>(train.size()) / d, d}) == VIGIL_OK, t.host.last_error);
    std::vector<float> out;
    REQUIRE_MESSAGE(transform(t.api, h.get(), test, {static_cast<int64_t>(test.size()) / d, d}, out) == VIGIL_OK,
                    t.host.last_error);
    return out;
}
} // namespace

TEST_CASE_FIXTURE(Pca, "pca extractor: descriptor, schema, shape known before fit") {
    CHECK(std::string(so.desc().name) == "pca");
    CHECK(so.desc().kind == VIGIL_KIND_EXTRACTOR);
    check_documented_schema(so.desc().params_schema);
    Handle h = null_handle();
    REQUIRE(make(h, R"({"components": 3})") == VIGIL_OK);
    CHECK(output_dims(api, h.get(), {1, 28, 28}) == std::vector<int64_t>{3});
    vigil_shape out{};
    CHECK(output_shape(api, h.get(), {2}, out) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error == "pca: components = 3 exceeds the 2 input features per sample");
}

TEST_CASE_FIXTURE(Pca, "pca extractor matches scikit-learn's PCA(3).transform, signs included, plain and whitened") {
    Handle h = null_handle(), w = null_handle();
    const double e1 = worst_abs(fit_transform(*this, h, R"({"components": 3})", flat("train"), flat("test"), 4),
                                flat_d("pca3"));
    const double e2 = worst_abs(
        fit_transform(*this, w, R"({"components": 3, "whiten": true})", flat("train"), flat("test"), 4),
        flat_d("pca3_whiten"));
    MESSAGE("pca extractor vs sklearn: max abs difference " << e1 << " (plain), " << e2 << " (whitened)");
    CHECK(e1 < 1e-4);
    CHECK(e2 < 1e-4);
}

TEST_CASE_FIXTURE(Pca, "pca extractor: uint8 input, zero-variance whitening refused, save/load identical") {
    std::mt19937 rng(1);
    std::vector<uint8_t> img(200 * 16);
    for (auto &v : img) v = static_cast<uint8_t>(rng() % 256);
    for (int i = 0; i < 200; ++i) img[i * 16 + 15] = 7;  // a constant pixel
    std::vector<float> imgf(img.begin(), img.end());
    Handle a = null_handle(), b = null_handle();
    REQUIRE(make(a, R"({"components": 4})") == VIGIL_OK);
    REQUIRE(fit(api, a.get(), img, {200, 4, 4}) == VIGIL_OK);
    std::vector<float> from_u8, from_f32;
    REQUIRE(transform(api, a.get(), img, {200, 4, 4}, from_u8) == VIGIL_OK);
    REQUIRE(make(b, R"({"components": 4})") == VIGIL_OK);
    REQUIRE(fit(api, b.get(), imgf, {200, 16}) == VIGIL_OK);
    REQUIRE(transform(api, b.get(), imgf, {200, 16}, from_f32) == VIGIL_OK);
    CHECK(from_u8 == from_f32);

    ByteWriter wr;
    REQUIRE(api.save(a.get(), wr.get()) == VIGIL_OK);
    Handle c = null_handle();
    REQUIRE(make(c, R"({"components": 4})") == VIGIL_OK);
    ByteReader rd(wr.bytes);
    REQUIRE(api.load(c.get(), rd.get()) == VIGIL_OK);
    std::vector<float> again;
    REQUIRE(transform(api, c.get(), img, {200, 16}, again) == VIGIL_OK);
    CHECK(again == from_u8);
    Handle other = null_handle();
    REQUIRE(make(other, R"({"components": 2})") == VIGIL_OK);
    ByteReader rd2(wr.bytes);
    CHECK(api.load(other.get(), rd2.get()) == VIGIL_ERR_IO);
    CHECK(host.last_error == "pca: the state has 4 components, the parameters ask for 2");

    Handle wz = null_handle();
    REQUIRE(make(wz, R"({"components": 16, "whiten": true})") == VIGIL_OK);
    CHECK(fit(api, wz.get(), img, {200, 16}) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("has zero variance on the training set") != std::string::npos);
}

TEST_CASE_FIXTURE(Zca, "zca matches numpy's U (L + eps)^-1/2 U^T (x - mu) and whitens") {
    Handle h = null_handle();
    const std::vector<float> got = fit_transform(*this, h, R"({"eps": 0.01})", flat("train"), flat("test"), 4);
    const std::vector<double> want = flat_d("zca_eps0.01");
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
    MESSAGE("zca vs numpy: max abs difference " << worst);
    CHECK(worst < 1e-4);

    // With eps = 0 the training output has identity covariance.
    std::mt19937 rng(3);
    std::normal_distribution<float> g;
    std::vector<float> x(500 * 3);
    for (int i = 0; i < 500; ++i) {
        const float a = g(rng), b = g(rng), c = g(rng);
        x[i * 3] = a;
        x[i * 3 + 1] = 2 * a + 0.5f * b;
        x[i * 3 + 2] = c - a;
    }
    Handle e = null_handle();
    const std::vector<float> y = fit_transform(*this, e, R"({"eps": 0})", x, x, 3);
    for (int p = 0; p < 3; ++p)
        for (int q = 0; q < 3; ++q) {
            double s = 0;
            for (int i = 0; i < 500; ++i) s += double(y[i * 3 + p]) * y[i * 3 + q];
            CHECK(s / 499 == doctest::Approx(p == q ? 1.0 : 0.0).epsilon(1e-3).scale(1.0));
        }
}

TEST_CASE_FIXTURE(Zca, "zca: a singular covariance needs eps > 0") {
    std::vector<float> x(100 * 3);
    for (int i = 0; i < 100; ++i) x[i * 3] = x[i * 3 + 1] = static_cast<float>(i % 7), x[i * 3 + 2] = 1.0f;
    Handle h = null_handle();
    REQUIRE(make(h, R"({"eps": 0})") == VIGIL_OK);
    CHECK(fit(api, h.get(), x, {100, 3}) == VIGIL_ERR_INVALID_ARGUMENT);
    CHECK(host.last_error.find("zca: the training covariance is singular (2 of 3 eigenvalues are zero)") == 0);
    Handle ok = null_handle();
    REQUIRE(make(ok, "{}") == VIGIL_OK);
    CHECK(fit(api, ok.get(), x, {100, 3}) == VIGIL_OK);
}
