// file_bytes.hpp — whole-file and prefix reads, transparently gunzipping.
//
// Why this file exists: every reader needs "the bytes of this file" with the
// same failures (missing, a folder, damaged or truncated gzip) reported the
// same way, naming the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::data::detail {

// All bytes of `path` (decompressed if gzip). Throws Input naming the file
// when it is missing, unreadable or a damaged/truncated gzip stream.
std::string read_all(const std::string &path);
// At most `n` leading (decompressed) bytes; an error as above only when the
// damage lies within those bytes.
std::string read_prefix(const std::string &path, size_t n);
// The bytes of `path` exactly as stored (no gunzip), for image decoding.
std::string read_raw(const std::string &path);
// At most `n` leading bytes as stored (e.g. to see a gzip magic number).
std::string read_raw_prefix(const std::string &path, size_t n);

bool ends_with(const std::string &s, const std::string &suffix);

// Product of dims, or -1 when it would exceed `cap` (a corrupt header must not
// overflow a size computation).
int64_t product_capped(const std::vector<int64_t> &dims, size_t from, int64_t cap);

// "3x1x28x28"
std::string shape_text(const std::vector<int64_t> &dims);

} // namespace vigil::data::detail
