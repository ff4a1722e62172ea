// detector_support.hpp — shared by the detector tests: a detector plugin
// driven through the raw C ABI (tests/support/plugin_so.hpp: dlopen, the
// descriptor's function table, a host that records errors), plus random data.
//
// Why this file exists: the detector tests check exactly what any host sees —
// status codes and the messages handed to host->error — so they load
// VIGIL_PLUGIN_DIR "/vigil-<name>-<backend>.so" directly, without libvigil.
#pragma once

#include "plugin_so.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigil::test {

inline std::string plugin_path(const std::string &name, const std::string &backend = "cpu") {
    return std::string(VIGIL_PLUGIN_DIR) + "/vigil-" + name + "-" + backend + ".so";
}
inline bool plugin_built(const std::string &name, const std::string &backend) {
    return std::filesystem::exists(plugin_path(name, backend));
}

// n samples of d features, row-major float32.
struct Matrix {
    int64_t n = 0, d = 0;
    std::vector<float> v;
    Matrix() = default;
    Matrix(int64_t rows, int64_t cols) : n(rows), d(cols), v(static_cast<size_t>(rows * cols)) {}
    float &at(int64_t i, int64_t j) { return v[static_cast<size_t>(i * d + j)]; }
    float at(int64_t i, int64_t j) const { return v[static_cast<size_t>(i * d + j)]; }
    vigil_tensor view() const { return test::view(v.data(), {n, d}); }
};

// Standard normal entries plus `shift`, reproducible from `seed`.
inline Matrix random_matrix(int64_t n, int64_t d, uint64_t seed, float shift = 0.0f) {
    Matrix m(n, d);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (float &x : m.v) x = g(rng) + shift;
    return m;
}

// One detector object of one plugin library, created with `params`.
// `status` is create()'s status; on failure host.last_error says why.
struct Detector {
    explicit Detector(const std::string &path, const std::string &params = "{}", uint32_t threads = 1)
        : so(path), api(so.detector()) {
        host_table = *host.get();
        host_table.threads = threads;
        vigil_handle raw = nullptr;
        status = api.create(params.c_str(), &host_table, &raw);
        h = Handle(raw, api.destroy);
    }
    Detector(const Detector &) = delete;
    Detector &operator=(const Detector &) = delete;

    vigil_status fit(const Matrix &x, const std::vector<int32_t> *labels = nullptr) {
        const vigil_tensor t = x.view();
        if (!labels) return api.fit(h.get(), &t, nullptr);
        const vigil_tensor y = test::view(labels->data(), {static_cast<int64_t>(labels->size())});
        return api.fit(h.get(), &t, &y);
    }
    vigil_status score(const Matrix &x, std::vector<float> &out) {
        out.assign(static_cast<size_t>(x.n), -1.0f);
        const vigil_tensor t = x.view();
        return api.score(h.get(), &t, out.data());
    }
    // Scores, or std::runtime_error carrying the plugin's message.
    std::vector<float> scores(const Matrix &x) {
        std::vector<float> out;
        if (score(x, out) != VIGIL_OK) throw std::runtime_error("score failed: " + host.last_error);
        return out;
    }
    vigil_status save(std::vector<uint8_t> &bytes) {
        ByteWriter w;
        const vigil_status s = api.save(h.get(), w.get());
        bytes = w.bytes;
        return s;
    }
    vigil_status load(const std::vector<uint8_t> &bytes) {
        ByteReader r(bytes);
        return api.load(h.get(), r.get());
    }

    PluginSo so;
    const vigil_detector_iface &api;
    RecordingHost host;     // records errors and logs; host_table points at it
    vigil_host host_table;  // the table handed to create(), with its own thread budget
    Handle h = null_handle();
    vigil_status status = VIGIL_OK;
};

// Largest relative difference between two variants' scores (cpu vs cuda):
// max |a − b| / max(1, |a|).
inline double worst_rel(const std::vector<float> &a, const std::vector<float> &b) {
    if (a.size() != b.size()) throw std::runtime_error("worst_rel: sizes differ");
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i)
        w = std::max(w, double(std::abs(a[i] - b[i])) / std::max(1.0, double(std::abs(a[i]))));
    return w;
}

// Largest relative difference of scores from reference values b (scikit-learn,
// NumPy, double computations): max |a − b| / max(1, |b|).
inline double worst_rel(const std::vector<float> &a, const std::vector<double> &b) {
    if (a.size() != b.size()) throw std::runtime_error("worst_rel: sizes differ");
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i) w = std::max(w, std::abs(double(a[i]) - b[i]) / std::max(1.0, std::abs(b[i])));
    return w;
}

// The descriptor's probe: its answer and reason.
inline int32_t probe(const PluginSo &so, std::string &reason) {
    char buf[512] = "unset";
    const int32_t r = so.desc().probe ? so.desc().probe(buf, sizeof buf) : -1;
    reason = buf;
    return r;
}

// The scores of q computed in two calls — its first `head` rows, then the
// rest — joined: for checks that a batch boundary changes no sample's score.
inline std::vector<float> scores_in_two_calls(Detector &det, const Matrix &q, int64_t head) {
    Matrix a(head, q.d), b(q.n - head, q.d);
    std::copy(q.v.begin(), q.v.begin() + head * q.d, a.v.begin());
    std::copy(q.v.begin() + head * q.d, q.v.end(), b.v.begin());
    std::vector<float> out = det.scores(a);
    const std::vector<float> rest = det.scores(b);
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

// Same size and the same bits (save/load and reproducibility checks).
inline bool bit_identical(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The error contract the detectors with their own kernels (copod, iforest)
// keep word for word, run as subcases of the calling TEST_CASE: empty
// training data, score/save before fit, a wrong feature count, NaN/Inf in
// fit and score (naming sample and element), and a failed refit that keeps
// the fitted model.
inline void check_standard_errors(const std::string &lib, const char *params) {
    const Matrix train = random_matrix(20, 3, 6);
    SUBCASE("no training samples, no features") {
        Detector det(lib, params);
        CHECK(det.fit(Matrix(0, 3)) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "needs at least 1 training sample, got 0");
        CHECK(det.fit(Matrix(4, 0)) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "training samples have no features");
    }
    SUBCASE("score and save before fit") {
        Detector det(lib, params);
        std::vector<float> out;
        CHECK(det.score(train, out) == VIGIL_ERR_STATE);
        CHECK(det.host.last_error == "score called before fit (or load)");
        std::vector<uint8_t> state;
        CHECK(det.save(state) == VIGIL_ERR_STATE);
    }
    SUBCASE("wrong feature count names both sizes") {
        Detector det(lib, params);
        REQUIRE(det.fit(train) == VIGIL_OK);
        std::vector<float> out;
        CHECK(det.score(random_matrix(2, 4, 7), out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "samples have 4 features, but the model was fitted on 3");
    }
    SUBCASE("NaN or Inf is refused in fit and score") {
        Detector det(lib, params);
        Matrix bad = random_matrix(3, 3, 8);
        bad.at(2, 1) = std::nanf("");
        CHECK(det.fit(bad) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "training data: non-finite value (NaN or Inf) in sample 2, element 1");
        REQUIRE(det.fit(train) == VIGIL_OK);
        bad.at(2, 1) = 1.0f;
        bad.at(1, 0) = -INFINITY;
        std::vector<float> out;
        CHECK(det.score(bad, out) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(det.host.last_error == "scoring data: non-finite value (NaN or Inf) in sample 1, element 0");
    }
    SUBCASE("a failed refit keeps the fitted model") {
        Detector det(lib, params);
        REQUIRE(det.fit(train) == VIGIL_OK);
        const auto before = det.scores(train);
        CHECK(det.fit(Matrix(0, 3)) == VIGIL_ERR_INVALID_ARGUMENT);
        CHECK(bit_identical(before, det.scores(train)));
    }
}

} // namespace vigil::test
