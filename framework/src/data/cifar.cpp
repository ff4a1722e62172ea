// cifar.cpp — CIFAR-10 binary batches: records of 1 label byte + 3 x 32 x 32 bytes.
#include "file_bytes.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace vigil::data {
namespace {

constexpr size_t kPixels = 3 * 32 * 32, kRecord = 1 + kPixels;

// batches.meta.txt next to the batch (one class name a line), if present.
std::vector<std::string> sibling_class_names(const std::string &file, int32_t max_label) {
    const auto meta = std::filesystem::path(file).parent_path() / "batches.meta.txt";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(meta, ec)) return {};
    std::ifstream in(meta);
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) names.push_back(line);
    }
    // A list that does not cover every label is not this data's list.
    if (static_cast<int32_t>(names.size()) <= max_label) return {};
    return names;
}

} // namespace

Dataset read_cifar(const std::vector<std::string> &files) {
    if (files.empty()) throw_input("CIFAR: no files given");
    std::vector<std::string> blobs;
    size_t records = 0;
    for (const auto &f : files) {
        blobs.push_back(detail::read_all(f));
        const size_t n = blobs.back().size();
        if (n == 0) throw_input(f + ": empty file, expected CIFAR records of " + std::to_string(kRecord) + " bytes");
        if (n % kRecord != 0) {
            std::string msg = f + ": not a CIFAR-10 binary batch: " + std::to_string(n) + " bytes is not a whole number of " +
                              std::to_string(kRecord) + "-byte records (truncated? " + std::to_string(n / kRecord) +
                              " whole records and " + std::to_string(n % kRecord) + " bytes more)";
            if (n % (kRecord + 1) == 0) msg += "; CIFAR-100 files (3074-byte records, two label bytes) are not supported";
            throw_input(msg);
        }
        records += n / kRecord;
    }
    Dataset ds;
    ds.origin = files.front() + (files.size() > 1 ? " (+" + std::to_string(files.size() - 1) + " more)" : "");
    ds.x = Tensor(VIGIL_DTYPE_UINT8, {static_cast<int64_t>(records), 3, 32, 32});
    ds.labels.resize(records);
    size_t r = 0;
    int32_t max_label = 0;
    for (size_t fi = 0; fi < blobs.size(); ++fi) {
        std::string &b = blobs[fi];
        for (size_t off = 0; off < b.size(); off += kRecord, ++r) {
            const int32_t label = static_cast<unsigned char>(b[off]);
            if (label > 9)
                throw_input(files[fi] + ": record " + std::to_string(off / kRecord) + " has label " + std::to_string(label) +
                            ", CIFAR-10 labels are 0..9 (not a CIFAR-10 batch, or a damaged one)");
            ds.labels[r] = label;
            max_label = std::max(max_label, label);
            std::memcpy(ds.x.data<uint8_t>() + r * kPixels, b.data() + off + 1, kPixels);
        }
        std::string().swap(b);  // release each batch once copied
    }
    ds.class_names = sibling_class_names(files.front(), max_label);
    return ds;
}

} // namespace vigil::data
