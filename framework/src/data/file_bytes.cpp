// file_bytes.cpp — zlib gz* reads: plain files pass through, gzip is inflated,
// and damaged streams are errors instead of silently short data.
#include "file_bytes.hpp"

#include <vigil/framework/error.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <zlib.h>

namespace fs = std::filesystem;

namespace vigil::data::detail {

namespace {

void require_file(const std::string &path) {
    std::error_code ec;
    if (path.empty()) throw_input("no file name given");
    if (!fs::exists(path, ec)) throw_input(path + ": file not found");
    if (fs::is_directory(path, ec)) throw_input(path + ": is a folder, expected a file");
}

std::string gz_failure(gzFile f) {
    int errnum = 0;
    const char *msg = gzerror(f, &errnum);
    if (errnum == Z_OK || errnum == Z_STREAM_END) return "";
    return msg && *msg ? msg : "zlib error " + std::to_string(errnum);
}

std::string read_gz(const std::string &path, size_t limit) {
    require_file(path);
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw_input(path + ": cannot open file");
    gzbuffer(f, 1 << 17);
    std::string out;
    // Plain files: reserve their size up front (gzip sizes are unknown here).
    std::error_code ec;
    const auto stored = fs::file_size(path, ec);
    if (!ec) out.reserve(std::min<size_t>(limit, static_cast<size_t>(stored)));
    char buf[1 << 16];
    while (out.size() < limit) {
        const unsigned want = static_cast<unsigned>(std::min<size_t>(sizeof buf, limit - out.size()));
        const int got = gzread(f, buf, want);
        if (got < 0) {
            const std::string why = gz_failure(f);
            gzclose(f);
            throw_input(path + ": damaged or truncated gzip data (" + why + ")");
        }
        if (got == 0) break;
        out.append(buf, static_cast<size_t>(got));
    }
    // A gzip stream cut short can read as a short end of file; gzerror tells.
    const std::string why = gz_failure(f);
    gzclose(f);
    if (!why.empty() && out.size() < limit) throw_input(path + ": damaged or truncated gzip data (" + why + ")");
    return out;
}

} // namespace

std::string read_all(const std::string &path) { return read_gz(path, static_cast<size_t>(-1)); }
std::string read_prefix(const std::string &path, size_t n) { return read_gz(path, n); }

std::string read_raw(const std::string &path) {
    require_file(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path + ": cannot open file");
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw_input(path + ": read error");
    return out;
}

std::string read_raw_prefix(const std::string &path, size_t n) {
    require_file(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path + ": cannot open file");
    std::string out(n, '\0');
    in.read(out.data(), static_cast<std::streamsize>(n));
    out.resize(static_cast<size_t>(in.gcount()));
    return out;
}

bool ends_with(const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int64_t product_capped(const std::vector<int64_t> &dims, size_t from, int64_t cap) {
    int64_t p = 1;
    for (size_t i = from; i < dims.size(); ++i) {
        if (dims[i] < 0) return -1;
        if (dims[i] != 0 && p > cap / dims[i]) return -1;
        p *= dims[i];
    }
    return p;
}

std::string shape_text(const std::vector<int64_t> &dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
    return s;
}

} // namespace vigil::data::detail
