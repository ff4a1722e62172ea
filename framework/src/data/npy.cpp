// npy.cpp — NumPy .npy files (format 1.0 / 2.0 / 3.0), C order, little-endian.
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cstring>
#include <limits>
#include <regex>

namespace vigil::data {
namespace {

struct NpyHeader {
    std::string descr;
    bool fortran = false;
    std::vector<int64_t> shape;
    size_t data_offset = 0;
};

NpyHeader parse_header(const std::string &b, const std::string &path) {
    if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) throw_input(path + ": not a NumPy .npy file (bad magic)");
    const int major = static_cast<unsigned char>(b[6]);
    size_t hlen, start;
    if (major == 1) {
        hlen = static_cast<unsigned char>(b[8]) | (size_t(static_cast<unsigned char>(b[9])) << 8);
        start = 10;
    } else if (major == 2 || major == 3) {
        if (b.size() < 12) throw_input(path + ": truncated .npy header");
        hlen = 0;
        for (int i = 0; i < 4; ++i) hlen |= size_t(static_cast<unsigned char>(b[8 + i])) << (8 * i);
        start = 12;
    } else {
        throw_input(path + ": .npy format version " + std::to_string(major) + " is not supported");
    }
    if (b.size() < start + hlen) throw_input(path + ": truncated .npy header");
    const std::string h = b.substr(start, hlen);
    NpyHeader out;
    out.data_offset = start + hlen;
    std::smatch m;
    if (!std::regex_search(h, m, std::regex("'descr'\\s*:\\s*'([^']*)'"))) throw_input(path + ": .npy header has no 'descr'");
    out.descr = m[1];
    if (!std::regex_search(h, m, std::regex("'fortran_order'\\s*:\\s*(True|False)")))
        throw_input(path + ": .npy header has no 'fortran_order'");
    out.fortran = m[1] == "True";
    if (!std::regex_search(h, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)"))) throw_input(path + ": .npy header has no 'shape'");
    const std::string dims = m[1];
    const std::regex num("\\d+");
    for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it)
        out.shape.push_back(std::stoll(it->str()));
    return out;
}

} // namespace

Tensor read_npy(const std::string &path) {
    const std::string b = detail::read_all(path);
    const NpyHeader h = parse_header(b, path);
    if (h.fortran) throw_input(path + ": Fortran-ordered arrays are not supported (save with np.ascontiguousarray)");
    if (h.shape.empty()) throw_input(path + ": a 0-d array holds no samples");
    if (h.shape.size() > VIGIL_MAX_RANK) throw_input(path + ": rank " + std::to_string(h.shape.size()) + " is too large");
    int64_t n = 1;
    for (auto d : h.shape) n *= d;
    size_t elem;
    vigil_dtype out_type;
    if (h.descr == "|u1" || h.descr == "<u1") elem = 1, out_type = VIGIL_DTYPE_UINT8;
    else if (h.descr == "<f4") elem = 4, out_type = VIGIL_DTYPE_FLOAT32;
    else if (h.descr == "<f8") elem = 8, out_type = VIGIL_DTYPE_FLOAT32;
    else if (h.descr == "<i4") elem = 4, out_type = VIGIL_DTYPE_INT32;
    else if (h.descr == "<i8") elem = 8, out_type = VIGIL_DTYPE_INT32;
    else
        throw_input(path + ": dtype '" + h.descr + "' is not supported (uint8 |u1, float32 <f4, float64 <f8, int32 <i4, int64 <i8)");
    const size_t have = b.size() - h.data_offset, want = static_cast<size_t>(n) * elem;
    if (have < want)
        throw_input(path + ": truncated: shape promises " + std::to_string(want) + " bytes of data, file holds " + std::to_string(have));
    if (have > want) throw_input(path + ": " + std::to_string(have - want) + " bytes beyond what the header describes");
    Tensor t(out_type, h.shape);
    const char *p = b.data() + h.data_offset;
    if (h.descr == "<f8") {
        for (int64_t i = 0; i < n; ++i) {
            double v;
            std::memcpy(&v, p + 8 * i, 8);
            t.data<float>()[i] = static_cast<float>(v);
        }
    } else if (h.descr == "<i8") {
        for (int64_t i = 0; i < n; ++i) {
            int64_t v;
            std::memcpy(&v, p + 8 * i, 8);
            if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
                throw_input(path + ": element " + std::to_string(i) + " (" + std::to_string(v) + ") does not fit int32");
            t.data<int32_t>()[i] = static_cast<int32_t>(v);
        }
    } else {
        std::memcpy(t.raw(), p, want);
    }
    return t;
}

Dataset read_npy_dataset(const std::string &images, const std::string &labels) {
    Dataset ds;
    ds.origin = images;
    ds.x = read_npy(images);
    if (ds.x.dtype() != VIGIL_DTYPE_UINT8 && ds.x.dtype() != VIGIL_DTYPE_FLOAT32)
        throw_input(images + ": data must be uint8 or float (got " + dtype_name(ds.x.dtype()) + ")");
    if (!labels.empty()) {
        Tensor l = read_npy(labels);
        if (l.dtype() != VIGIL_DTYPE_INT32 && l.dtype() != VIGIL_DTYPE_UINT8)
            throw_input(labels + ": labels must be integers (int32, int64 or uint8), got " + dtype_name(l.dtype()));
        if (l.rank() != 1) throw_input(labels + ": labels must be a 1-d array, got shape " + l.shape_str());
        if (l.samples() != ds.x.samples())
            throw_input(labels + ": holds " + std::to_string(l.samples()) + " labels but " + images + " holds " +
                        std::to_string(ds.x.samples()) + " samples");
        ds.labels.resize(static_cast<size_t>(l.samples()));
        for (int64_t i = 0; i < l.samples(); ++i)
            ds.labels[i] = l.dtype() == VIGIL_DTYPE_UINT8 ? l.data<uint8_t>()[i] : l.data<int32_t>()[i];
    }
    return ds;
}

} // namespace vigil::data
