// idx.cpp — IDX files (MNIST, Fashion-MNIST): big-endian header, uint8 payload.
#include "file_bytes.hpp"
#include "peek.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cstdio>
#include <cstring>

namespace vigil::data {
namespace detail {

IdxHeader parse_idx_header(const std::string &b, const std::string &path) {
    if (b.size() < 4 || b[0] != 0 || b[1] != 0)
        throw_input(path + ": not an IDX file (bad magic: expected two zero bytes, then type and rank)");
    const unsigned type = static_cast<unsigned char>(b[2]);
    if (type != 0x08) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", type);
        throw_input(path + ": IDX element type " + hex + " is not supported (only unsigned bytes, 0x08)");
    }
    const int rank = static_cast<unsigned char>(b[3]);
    if (rank < 1 || rank > 4) throw_input(path + ": IDX rank " + std::to_string(rank) + " is outside 1..4");
    IdxHeader h;
    h.data_offset = 4 + 4 * size_t(rank);
    if (b.size() < h.data_offset) throw_input(path + ": truncated IDX header");
    for (int i = 0; i < rank; ++i) {
        const auto *p = reinterpret_cast<const unsigned char *>(b.data() + 4 + 4 * i);
        h.dims.push_back((int64_t(p[0]) << 24) | (int64_t(p[1]) << 16) | (int64_t(p[2]) << 8) | int64_t(p[3]));
    }
    return h;
}

IdxHeader peek_idx(const std::string &path) { return parse_idx_header(read_prefix(path, 4 + 4 * 4), path); }

std::vector<int64_t> idx_sample_shape(const std::vector<int64_t> &dims) {
    if (dims.size() == 3) return {1, dims[1], dims[2]};
    return {dims.begin() + 1, dims.end()};
}

} // namespace detail

namespace {

// The whole file, checked against its header: exactly the promised bytes.
struct IdxFile {
    std::string bytes;
    detail::IdxHeader h;
    size_t payload = 0;
};

IdxFile load_idx(const std::string &path, const char *what) {
    IdxFile f;
    f.bytes = detail::read_all(path);
    f.h = detail::parse_idx_header(f.bytes, path);
    const size_t have = f.bytes.size() - f.h.data_offset;
    const int64_t want = detail::product_capped(f.h.dims, 0, int64_t(1) << 60);
    if (want < 0 || want > static_cast<int64_t>(have))
        throw_input(path + ": truncated: header promises " + std::to_string(f.h.dims[0]) + " " + what + " of shape " +
                    detail::shape_text(f.h.dims) +
                    (want < 0 ? "" : " (" + std::to_string(want) + " bytes)") + " but the file holds " +
                    std::to_string(have) + " bytes");
    if (want < static_cast<int64_t>(have))
        throw_input(path + ": " + std::to_string(have - want) + " bytes beyond the " + std::to_string(want) +
                    " the header describes (not an IDX file, or a damaged one)");
    f.payload = static_cast<size_t>(want);
    return f;
}

} // namespace

Tensor read_idx_tensor(const std::string &path) {
    const IdxFile f = load_idx(path, "samples");
    Tensor t(VIGIL_DTYPE_UINT8, f.h.dims);
    if (f.payload) std::memcpy(t.raw(), f.bytes.data() + f.h.data_offset, f.payload);
    return t;
}

Dataset read_idx(const std::string &images, const std::string &labels) {
    Dataset ds;
    ds.origin = images;
    {
        // Check the rank before reading megabytes of a file that is the wrong kind.
        const detail::IdxHeader h = detail::peek_idx(images);
        if (h.dims.size() < 2)
            throw_input(images + ": IDX images need rank 2 to 4, got rank 1 (is this a labels file?)");
    }
    const IdxFile f = load_idx(images, "images");
    ds.x = Tensor(VIGIL_DTYPE_UINT8, [&] {
        std::vector<int64_t> s = detail::idx_sample_shape(f.h.dims);
        s.insert(s.begin(), f.h.dims[0]);
        return s;
    }());
    if (f.payload) std::memcpy(ds.x.raw(), f.bytes.data() + f.h.data_offset, f.payload);

    if (!labels.empty()) {
        const detail::IdxHeader lh = detail::peek_idx(labels);
        if (lh.dims.size() != 1)
            throw_input(labels + ": IDX labels must have rank 1, got rank " + std::to_string(lh.dims.size()) +
                        " (is this an images file?)");
        if (lh.dims[0] != f.h.dims[0])
            throw_input(labels + ": holds " + std::to_string(lh.dims[0]) + " labels but " + images + " holds " +
                        std::to_string(f.h.dims[0]) + " images");
        const IdxFile l = load_idx(labels, "labels");
        ds.labels.resize(l.payload);
        for (size_t i = 0; i < l.payload; ++i) ds.labels[i] = static_cast<unsigned char>(l.bytes[l.h.data_offset + i]);
    }
    return ds;
}

} // namespace vigil::data
