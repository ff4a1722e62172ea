// host_fixture.hpp — helpers shared by host-level tests: a registry over the
// real and mock plugin folders, a fresh temporary folder, and small .npy /
// text file writers for building pipelines on the fly.
#pragma once

#include <vigil/framework/error.hpp>
#include <vigil/framework/registry.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace vigil::test {

inline Registry registry_with_mocks() {
    Registry r;
    r.scan({VIGIL_PLUGIN_DIR, VIGIL_MOCK_PLUGIN_DIR});
    return r;
}

// A new empty folder under the system temp dir (removed by the OS, not by us:
// failing tests leave their files for inspection).
inline std::string temp_dir(const std::string &tag) {
    static std::mt19937_64 rng(std::random_device{}());
    auto p = std::filesystem::temp_directory_path() / ("vigil-test-" + tag + "-" + std::to_string(rng()));
    std::filesystem::create_directories(p);
    return p.string();
}

// The message of the vigil::Error that f throws, or "(no error)".
inline std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const Error &e) {
        return e.what();
    }
    return "(no error)";
}

inline void write_text(const std::string &path, const std::string &text) {
    std::ofstream(path, std::ios::binary) << text;
}

// Minimal NumPy v1.0 writer: '<f4' or '|u1' or '<i4', C order.
template <class T> void write_npy(const std::string &path, const std::vector<T> &v, const std::vector<int64_t> &shape) {
    const char *descr = std::is_same<T, float>::value ? "<f4" : std::is_same<T, uint8_t>::value ? "|u1" : "<i4";
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const uint16_t hl = static_cast<uint16_t>(header.size());
    out.write(reinterpret_cast<const char *>(&hl), 2);
    out << header;
    out.write(reinterpret_cast<const char *>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

// n samples of d features: class 0 near 0, class 1 near 3 (well separated).
inline void two_blobs(int n, int d, uint64_t seed, std::vector<float> &x, std::vector<int32_t> &y) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    x.resize(static_cast<size_t>(n) * d);
    y.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        y[i] = i % 2;
        for (int j = 0; j < d; ++j) x[static_cast<size_t>(i) * d + j] = g(rng) + 3.0f * static_cast<float>(y[i]);
    }
}

} // namespace vigil::test
