// cifar.cpp — CIFAR-10 binary batches: records of 1 label byte + 3 x 32 x 32 bytes.
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cstring>

namespace vigil::data {

Dataset read_cifar(const std::vector<std::string> &files) {
    constexpr size_t kPixels = 3 * 32 * 32, kRecord = 1 + kPixels;
    if (files.empty()) throw_input("CIFAR: no files given");
    std::vector<std::string> blobs;
    size_t records = 0;
    for (const auto &f : files) {
        blobs.push_back(detail::read_all(f));
        const size_t n = blobs.back().size();
        if (n == 0 || n % kRecord != 0)
            throw_input(f + ": not a CIFAR binary batch: " + std::to_string(n) + " bytes is not a whole number of " +
                        std::to_string(kRecord) + "-byte records (truncated?)");
        records += n / kRecord;
    }
    Dataset ds;
    ds.origin = files.front() + (files.size() > 1 ? " (+" + std::to_string(files.size() - 1) + " more)" : "");
    ds.x = Tensor(VIGIL_DTYPE_UINT8, {static_cast<int64_t>(records), 3, 32, 32});
    ds.labels.resize(records);
    size_t r = 0;
    for (size_t fi = 0; fi < blobs.size(); ++fi) {
        const std::string &b = blobs[fi];
        for (size_t off = 0; off < b.size(); off += kRecord, ++r) {
            const int label = static_cast<unsigned char>(b[off]);
            if (label > 99)
                throw_input(files[fi] + ": record " + std::to_string(off / kRecord) + " has label " + std::to_string(label) +
                            " (not a CIFAR file?)");
            ds.labels[r] = label;
            std::memcpy(ds.x.data<uint8_t>() + r * kPixels, b.data() + off + 1, kPixels);
        }
    }
    return ds;
}

} // namespace vigil::data
