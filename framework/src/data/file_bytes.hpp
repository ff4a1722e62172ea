// file_bytes.hpp — whole-file and prefix reads, transparently gunzipping.
#pragma once
#include <string>

namespace vigil::data::detail {
// All bytes of `path` (decompressed if gzip). Throws Input naming the file
// when it is missing, unreadable or a damaged/truncated gzip stream.
std::string read_all(const std::string &path);
// At most `n` leading (decompressed) bytes.
std::string read_prefix(const std::string &path, size_t n);
bool ends_with(const std::string &s, const std::string &suffix);
} // namespace vigil::data::detail
