// npy.cpp — NumPy .npy files (format 1.0 / 2.0 / 3.0), C order, little-endian.
#include "file_bytes.hpp"
#include "peek.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace vigil::data {
namespace detail {
namespace {

// A reader for the header's Python dict literal: {'key': value, ...} with
// values 'string', True/False or a tuple of integers.
class DictParser {
public:
    DictParser(const std::string &text, const std::string &path) : s_(text), path_(path) {}

    NpyHeader parse() {
        NpyHeader h;
        bool have_descr = false, have_order = false, have_shape = false;
        expect('{');
        for (;;) {
            skip();
            if (peek() == '}') break;
            const std::string key = quoted();
            skip();
            expect(':');
            skip();
            if (key == "descr") {
                if (peek() == '[') fail("structured dtypes (a list 'descr') are not supported");
                h.descr = quoted();
                have_descr = true;
            } else if (key == "fortran_order") {
                h.fortran = boolean();
                have_order = true;
            } else if (key == "shape") {
                h.shape = tuple();
                have_shape = true;
            } else {
                fail("unexpected key '" + key + "' in the header");
            }
            skip();
            if (peek() == ',') ++i_;
            else if (peek() != '}') fail("expected ',' or '}' in the header");
        }
        if (!have_descr) fail("the header has no 'descr'");
        if (!have_order) fail("the header has no 'fortran_order'");
        if (!have_shape) fail("the header has no 'shape'");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string &why) { throw_input(path_ + ": malformed .npy header: " + why); }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    void expect(char c) {
        skip();
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    std::string quoted() {
        const char q = peek();
        if (q != '\'' && q != '"') fail("expected a quoted string");
        const size_t end = s_.find(q, i_ + 1);
        if (end == std::string::npos) fail("unterminated string");
        std::string out = s_.substr(i_ + 1, end - i_ - 1);
        i_ = end + 1;
        return out;
    }
    bool boolean() {
        if (s_.compare(i_, 4, "True") == 0) {
            i_ += 4;
            return true;
        }
        if (s_.compare(i_, 5, "False") == 0) {
            i_ += 5;
            return false;
        }
        fail("'fortran_order' must be True or False");
    }
    std::vector<int64_t> tuple() {
        expect('(');
        std::vector<int64_t> dims;
        for (;;) {
            skip();
            if (peek() == ')') break;
            if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("'shape' must be a tuple of non-negative integers");
            int64_t v = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) fail("a 'shape' dimension is too large");
                v = v * 10 + (s_[i_++] - '0');
            }
            if (peek() == 'L') ++i_;  // Python 2 long suffix
            dims.push_back(v);
            skip();
            if (peek() == ',') ++i_;
            else if (peek() != ')') fail("'shape' must be a tuple of non-negative integers");
        }
        ++i_;
        return dims;
    }

    const std::string &s_;
    const std::string &path_;
    size_t i_ = 0;
};

// Where the header text starts and how long it is; needs the first 12 bytes.
void header_span(const std::string &b, const std::string &path, size_t &start, size_t &len) {
    if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) throw_input(path + ": not a NumPy .npy file (bad magic)");
    const int major = static_cast<unsigned char>(b[6]);
    if (major == 1) {
        len = static_cast<unsigned char>(b[8]) | (size_t(static_cast<unsigned char>(b[9])) << 8);
        start = 10;
    } else if (major == 2 || major == 3) {
        if (b.size() < 12) throw_input(path + ": truncated .npy header");
        len = 0;
        for (int i = 0; i < 4; ++i) len |= size_t(static_cast<unsigned char>(b[8 + i])) << (8 * i);
        start = 12;
    } else {
        throw_input(path + ": .npy format version " + std::to_string(major) + " is not supported (1, 2 or 3)");
    }
}

} // namespace

NpyHeader parse_npy_header(const std::string &b, const std::string &path) {
    size_t start = 0, len = 0;
    header_span(b, path, start, len);
    if (b.size() < start + len) throw_input(path + ": truncated .npy header");
    NpyHeader h = DictParser(b.substr(start, len), path).parse();
    h.data_offset = start + len;
    return h;
}

NpyHeader peek_npy(const std::string &path) {
    std::string b = read_prefix(path, 12);
    size_t start = 0, len = 0;
    header_span(b, path, start, len);
    if (len > (1u << 24)) throw_input(path + ": .npy header length " + std::to_string(len) + " is implausible");
    return parse_npy_header(read_prefix(path, start + len), path);
}

vigil_dtype npy_result_dtype(const std::string &descr, const std::string &path) {
    if (descr == "|u1" || descr == "<u1") return VIGIL_DTYPE_UINT8;
    if (descr == "<f4" || descr == "<f8") return VIGIL_DTYPE_FLOAT32;
    if (descr == "<i4" || descr == "<i8") return VIGIL_DTYPE_INT32;
    throw_input(path + ": dtype '" + descr +
                "' is not supported (uint8 '|u1', float32 '<f4', float64 '<f8', int32 '<i4', int64 '<i8'; little-endian)");
}

} // namespace detail

Tensor read_npy(const std::string &path) {
    const std::string b = detail::read_all(path);
    const detail::NpyHeader h = detail::parse_npy_header(b, path);
    if (h.fortran)
        throw_input(path + ": Fortran-ordered (column-major) arrays are not supported; save with np.ascontiguousarray");
    if (h.shape.empty()) throw_input(path + ": a 0-d array holds no samples (need rank >= 1)");
    if (h.shape.size() > VIGIL_MAX_RANK)
        throw_input(path + ": rank " + std::to_string(h.shape.size()) + " is above the supported " + std::to_string(VIGIL_MAX_RANK));
    const vigil_dtype type = detail::npy_result_dtype(h.descr, path);
    const size_t elem = h.descr.back() == '8' ? 8 : h.descr.back() == '4' ? 4 : 1;
    const size_t have = b.size() - h.data_offset;
    const int64_t n = detail::product_capped(h.shape, 0, int64_t(1) << 58);
    if (n < 0 || static_cast<size_t>(n) * elem > have)
        throw_input(path + ": truncated: shape " + detail::shape_text(h.shape) + " (" + h.descr + ") needs " +
                    (n < 0 ? std::string("more") : std::to_string(static_cast<size_t>(n) * elem)) +
                    " bytes of data, the file holds " + std::to_string(have));
    const size_t want = static_cast<size_t>(n) * elem;
    if (have > want)
        throw_input(path + ": " + std::to_string(have - want) + " bytes beyond the " + std::to_string(want) +
                    " the header describes (damaged file?)");
    Tensor t(type, h.shape);
    const char *p = b.data() + h.data_offset;
    const int64_t per_sample = n / std::max<int64_t>(h.shape[0], 1);
    auto where = [&](int64_t i) {
        return "sample " + std::to_string(per_sample ? i / per_sample : 0) + " (element " + std::to_string(i) + ")";
    };
    if (h.descr == "<f8" || h.descr == "<f4") {
        float *o = t.data<float>();
        for (int64_t i = 0; i < n; ++i) {
            double v;
            if (elem == 8) std::memcpy(&v, p + 8 * i, 8);
            else {
                float f;
                std::memcpy(&f, p + 4 * i, 4);
                v = f;
            }
            if (!std::isfinite(v))
                throw_input(path + ": " + where(i) + " is " + (std::isnan(v) ? "NaN" : "infinite") + "; non-finite input is rejected");
            if (std::fabs(v) > std::numeric_limits<float>::max()) {
                char num[32];
                std::snprintf(num, sizeof num, "%g", v);
                throw_input(path + ": " + where(i) + " (" + num + ") is outside the float32 range");
            }
            o[i] = static_cast<float>(v);
        }
    } else if (h.descr == "<i8") {
        int32_t *o = t.data<int32_t>();
        for (int64_t i = 0; i < n; ++i) {
            int64_t v;
            std::memcpy(&v, p + 8 * i, 8);
            if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
                throw_input(path + ": " + where(i) + " (" + std::to_string(v) + ") does not fit int32");
            o[i] = static_cast<int32_t>(v);
        }
    } else if (want) {
        std::memcpy(t.raw(), p, want);
    }
    return t;
}

Dataset read_npy_dataset(const std::string &images, const std::string &labels) {
    Dataset ds;
    ds.origin = images;
    {
        // Wrong dtype or order is told from the header, before reading the payload.
        const detail::NpyHeader h = detail::peek_npy(images);
        if (detail::npy_result_dtype(h.descr, images) == VIGIL_DTYPE_INT32)
            throw_input(images + ": sample data must be uint8 ('|u1') or float ('<f4', '<f8'), got '" + h.descr +
                        "' (integer arrays are read as labels)");
    }
    ds.x = read_npy(images);
    if (!labels.empty()) {
        const detail::NpyHeader lh = detail::peek_npy(labels);
        if (detail::npy_result_dtype(lh.descr, labels) == VIGIL_DTYPE_FLOAT32)
            throw_input(labels + ": labels must be integers ('<i4', '<i8' or '|u1'), got '" + lh.descr + "'");
        if (lh.shape.size() != 1)
            throw_input(labels + ": labels must be a 1-d array, got shape " + detail::shape_text(lh.shape));
        if (lh.shape[0] != ds.x.samples())
            throw_input(labels + ": holds " + std::to_string(lh.shape[0]) + " labels but " + images + " holds " +
                        std::to_string(ds.x.samples()) + " samples");
        const Tensor l = read_npy(labels);
        ds.labels.resize(static_cast<size_t>(l.samples()));
        for (int64_t i = 0; i < l.samples(); ++i)
            ds.labels[i] = l.dtype() == VIGIL_DTYPE_UINT8 ? l.data<uint8_t>()[i] : l.data<int32_t>()[i];
    }
    return ds;
}

} // namespace vigil::data
