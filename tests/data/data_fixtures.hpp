// data_fixtures.hpp — byte builders for the data reader tests: IDX, npy of any
// dtype and version, gzip, and file helpers.
//
// Why this file exists: every reader test writes its fixture files into a
// fresh temp folder from these few builders, so each test states its bytes.
#pragma once

#include "host_fixture.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <zlib.h>

namespace vigil::test::data_files {

inline std::string be32(uint32_t v) {
    return {char(v >> 24), char((v >> 16) & 255), char((v >> 8) & 255), char(v & 255)};
}

// n images of 2x2: image i holds bytes 10i, 10i+1, 10i+2, 10i+3.
inline std::string idx_images(int n = 3) {
    std::string b = be32(2051) + be32(static_cast<uint32_t>(n)) + be32(2) + be32(2);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < 4; ++j) b += char(10 * i + j);
    return b;
}

inline std::string idx_labels(const std::vector<int> &l) {
    std::string b = be32(2049) + be32(static_cast<uint32_t>(l.size()));
    for (int v : l) b += char(v);
    return b;
}

// CIFAR records: record r has label labels[r] and pixel i = (i + r) % 256.
inline std::string cifar_records(const std::vector<int> &labels) {
    std::string b;
    for (size_t r = 0; r < labels.size(); ++r) {
        b += char(labels[r]);
        for (int i = 0; i < 3072; ++i) b += char((i + r) % 256);
    }
    return b;
}

inline void write_gz(const std::string &path, const std::string &bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

inline std::string read_bytes(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A .npy file: header dict from descr / fortran / shape text such as "(3, 2)",
// padded as NumPy does; version 1 or 2.
inline std::string npy_bytes(const std::string &descr, const std::string &shape, const std::string &payload, int version = 1,
                             bool fortran = false) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    const size_t pre = version == 1 ? 10 : 12;
    while ((pre + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string b = std::string("\x93NUMPY", 6) + char(version) + char(0);
    const size_t n = header.size();
    if (version == 1) b += std::string{char(n & 255), char(n >> 8)};
    else b += std::string{char(n & 255), char((n >> 8) & 255), char((n >> 16) & 255), char(n >> 24)};
    return b + header + payload;
}

// A version 1 .npy file with the given header dict text, unpadded.
inline std::string npy_with_dict(const std::string &dict, const std::string &payload) {
    const size_t n = dict.size() + 1;
    return std::string("\x93NUMPY\x01\x00", 8) + std::string{char(n & 255), char(n >> 8)} + dict + "\n" + payload;
}

template <class T> std::string raw(const std::vector<T> &v) {
    std::string s(v.size() * sizeof(T), '\0');
    if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
    return s;
}

} // namespace vigil::test::data_files
