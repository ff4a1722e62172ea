// idx.cpp — IDX files (MNIST, Fashion-MNIST): big-endian header, uint8 payload.
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cstring>

namespace vigil::data {
namespace {

uint32_t be32(const std::string &b, size_t off) {
    const auto *p = reinterpret_cast<const unsigned char *>(b.data() + off);
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// Parses the IDX header: 0x00 0x00 <type> <rank>, then rank big-endian dims.
std::vector<int64_t> idx_dims(const std::string &b, const std::string &path) {
    if (b.size() < 4 || b[0] != 0 || b[1] != 0)
        throw_input(path + ": not an IDX file (bad magic; expected 0x0000 followed by type and rank)");
    if (static_cast<unsigned char>(b[2]) != 0x08)
        throw_input(path + ": IDX element type 0x" + std::to_string(static_cast<unsigned char>(b[2])) +
                    " is not supported (only unsigned bytes, 0x08)");
    const int rank = static_cast<unsigned char>(b[3]);
    if (rank < 1 || rank > 4) throw_input(path + ": IDX rank " + std::to_string(rank) + " outside 1..4");
    if (b.size() < 4 + 4 * size_t(rank)) throw_input(path + ": truncated IDX header");
    std::vector<int64_t> dims;
    for (int i = 0; i < rank; ++i) dims.push_back(be32(b, 4 + 4 * i));
    return dims;
}

int64_t product(const std::vector<int64_t> &d, size_t from = 0) {
    int64_t p = 1;
    for (size_t i = from; i < d.size(); ++i) p *= d[i];
    return p;
}

} // namespace

Dataset read_idx(const std::string &images, const std::string &labels) {
    Dataset ds;
    ds.origin = images;
    const std::string b = detail::read_all(images);
    const std::vector<int64_t> dims = idx_dims(b, images);
    if (dims.size() < 2) throw_input(images + ": IDX images need rank >= 2 (got rank 1: is this a labels file?)");
    const size_t head = 4 + 4 * dims.size();
    const int64_t expect = product(dims);
    if (int64_t(b.size() - head) < expect)
        throw_input(images + ": truncated: header promises " + std::to_string(dims[0]) + " images (" +
                    std::to_string(expect) + " bytes) but the file holds " + std::to_string(b.size() - head));
    if (int64_t(b.size() - head) > expect)
        throw_input(images + ": " + std::to_string(b.size() - head - expect) + " bytes beyond what the header describes");
    // N x H x W becomes N x 1 x H x W (one channel); N x H x W x C stays as written.
    std::vector<int64_t> shape = dims;
    if (dims.size() == 3) shape = {dims[0], 1, dims[1], dims[2]};
    ds.x = Tensor(VIGIL_DTYPE_UINT8, shape);
    std::memcpy(ds.x.raw(), b.data() + head, static_cast<size_t>(expect));

    if (!labels.empty()) {
        const std::string l = detail::read_all(labels);
        const std::vector<int64_t> ld = idx_dims(l, labels);
        if (ld.size() != 1) throw_input(labels + ": IDX labels must have rank 1 (got rank " + std::to_string(ld.size()) + ")");
        if (ld[0] != dims[0])
            throw_input(labels + ": holds " + std::to_string(ld[0]) + " labels but " + images + " holds " +
                        std::to_string(dims[0]) + " images");
        if (int64_t(l.size()) - 8 != ld[0])
            throw_input(labels + ": truncated or oversized: header promises " + std::to_string(ld[0]) + " labels, file holds " +
                        std::to_string(l.size() - 8));
        ds.labels.resize(static_cast<size_t>(ld[0]));
        for (int64_t i = 0; i < ld[0]; ++i) ds.labels[i] = static_cast<unsigned char>(l[8 + i]);
    }
    return ds;
}

} // namespace vigil::data
