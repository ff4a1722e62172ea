// file_bytes.cpp — zlib gz* reads: plain files pass through, gzip is inflated,
// and damaged streams are errors instead of silently short data.
#include "file_bytes.hpp"

#include <vigil/framework/error.hpp>

#include <filesystem>
#include <zlib.h>

namespace vigil::data::detail {

namespace {
std::string read_gz(const std::string &path, size_t limit) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw_input(path + ": file not found");
    if (std::filesystem::is_directory(path, ec)) throw_input(path + ": is a folder, expected a file");
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw_input(path + ": cannot open file");
    gzbuffer(f, 1 << 20);
    std::string out;
    char buf[1 << 16];
    while (out.size() < limit) {
        const unsigned want = static_cast<unsigned>(std::min<size_t>(sizeof buf, limit - out.size()));
        const int got = gzread(f, buf, want);
        if (got < 0) {
            int errnum = 0;
            const std::string msg = gzerror(f, &errnum);
            gzclose(f);
            throw_input(path + ": damaged or truncated gzip data (" + msg + ")");
        }
        if (got == 0) break;
        out.append(buf, static_cast<size_t>(got));
    }
    // A gzip stream cut short reads as end of file without an error from
    // gzread on some zlib versions; gzerror tells.
    int errnum = 0;
    const char *msg = gzerror(f, &errnum);
    const std::string m = msg ? msg : "";
    gzclose(f);
    if (errnum != Z_OK && errnum != Z_STREAM_END && out.size() < limit)
        throw_input(path + ": damaged or truncated gzip data (" + m + ")");
    return out;
}
} // namespace

std::string read_all(const std::string &path) { return read_gz(path, static_cast<size_t>(-1)); }
std::string read_prefix(const std::string &path, size_t n) { return read_gz(path, n); }

bool ends_with(const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace vigil::data::detail
