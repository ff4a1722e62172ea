// image_check.cpp — PNG chunk walk (lengths, CRCs, IEND) and JPEG marker walk
// (segments, entropy-coded scans, EOI); see image_check.hpp.
#include "image_check.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <zlib.h>

namespace vigil::data::detail {
namespace {

uint8_t at(const std::string &b, size_t i) { return static_cast<uint8_t>(b[i]); }

uint32_t be32(const std::string &b, size_t i) {
    return (uint32_t(at(b, i)) << 24) | (uint32_t(at(b, i + 1)) << 16) | (uint32_t(at(b, i + 2)) << 8) | uint32_t(at(b, i + 3));
}

std::string hex2(unsigned v) {
    char s[8];
    std::snprintf(s, sizeof s, "0x%02X", v & 0xFFu);
    return s;
}

// A DHT segment's tables: class/id byte, 16 code-length counts summing to at
// most 256, then that many symbols; the segment holds exactly whole tables.
// (stb_image 2.27 overruns its tables on longer lists, so this is checked first.)
bool huffman_tables_ok(const std::string &b, size_t pos, size_t end) {
    while (pos < end) {
        if (pos + 17 > end) return false;
        const unsigned q = at(b, pos);
        if ((q >> 4) > 1 || (q & 15) > 3) return false;
        size_t n = 0;
        for (size_t i = 1; i <= 16; ++i) n += at(b, pos + i);
        if (n > 256) return false;
        pos += 17 + n;
    }
    return pos == end;
}

} // namespace

std::string png_problem(const std::string &b) {
    static const char sig[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    if (b.size() < 8) return b.size() >= 4 && std::memcmp(b.data(), sig, 4) == 0 ? "truncated PNG: ends inside the signature" : "";
    if (std::memcmp(b.data(), sig, 8) != 0) return "";
    const size_t n = b.size();
    size_t pos = 8;
    for (;;) {
        if (pos == n) return "truncated PNG: ends before the IEND chunk";
        if (pos + 8 > n) return "truncated PNG: ends inside a chunk header at byte " + std::to_string(pos);
        const uint32_t len = be32(b, pos);
        const std::string type = b.substr(pos + 4, 4);
        for (char c : type)
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return "corrupted PNG: invalid chunk type at byte " + std::to_string(pos);
        if (len > 0x7FFFFFFFu) return "corrupted PNG: invalid length of chunk " + type + " at byte " + std::to_string(pos);
        if (pos + 12 + size_t(len) > n)
            return "truncated PNG: ends inside chunk " + type + " at byte " + std::to_string(pos) + " (" +
                   std::to_string(n - pos) + " of its " + std::to_string(12 + size_t(len)) + " bytes present)";
        const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef *>(b.data() + pos + 4), static_cast<uInt>(4 + len));
        if (static_cast<uint32_t>(crc) != be32(b, pos + 8 + len))
            return "corrupted PNG: checksum (CRC) mismatch in chunk " + type + " at byte " + std::to_string(pos);
        if (type == "IEND") return "";
        pos += 12 + size_t(len);
    }
}

std::string jpeg_problem(const std::string &b) {
    const size_t n = b.size();
    if (n < 3 || at(b, 0) != 0xFF || at(b, 1) != 0xD8 || at(b, 2) != 0xFF) return "";
    size_t pos = 2;
    for (;;) {
        while (pos < n && at(b, pos) != 0xFF) ++pos;  // tolerate stray bytes between segments
        while (pos < n && at(b, pos) == 0xFF) ++pos;  // fill bytes
        if (pos >= n) return "truncated JPEG: ends before the end-of-image marker";
        const unsigned m = at(b, pos++);
        if (m == 0xD9) return "";                                   // EOI: complete
        if (m == 0x01 || m == 0x00 || (m >= 0xD0 && m <= 0xD7)) continue;  // markers without a segment
        if (pos + 2 > n) return "truncated JPEG: ends inside the segment of marker " + hex2(m);
        const size_t len = (size_t(at(b, pos)) << 8) | at(b, pos + 1);
        if (len < 2) return "corrupted JPEG: invalid segment length at byte " + std::to_string(pos);
        if (pos + len > n) return "truncated JPEG: ends inside the segment of marker " + hex2(m);
        if (m == 0xC4 && !huffman_tables_ok(b, pos + 2, pos + len))
            return "corrupted JPEG: invalid Huffman table at byte " + std::to_string(pos);
        pos += len;
        if (m != 0xDA) continue;
        // Entropy-coded scan data runs to the next marker other than a
        // stuffed 0xFF00 or a restart marker 0xFFD0..0xFFD7.
        for (;;) {
            while (pos < n && at(b, pos) != 0xFF) ++pos;
            if (pos + 1 >= n) return "truncated JPEG: image data ends before the end-of-image marker";
            const unsigned next = at(b, pos + 1);
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) pos += 2;
            else if (next == 0xFF) ++pos;
            else break;
        }
    }
}

} // namespace vigil::data::detail
