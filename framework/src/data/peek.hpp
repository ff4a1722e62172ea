// peek.hpp — header-only looks at data files, shared by the readers and by
// inspect_source.
//
// Why this file exists: a pipeline checks shapes between stages before any
// work starts, so each format offers a cheap look (IDX/npy headers, CSV first
// lines, first image) that parses exactly as its full reader does.
#pragma once

#include <vigil/framework/data.hpp>

#include <string>
#include <vector>

namespace vigil::data::detail {

// IDX: 0x00 0x00 <type 0x08> <rank>, then rank big-endian dims.
struct IdxHeader {
    std::vector<int64_t> dims;
    size_t data_offset = 0;
};
IdxHeader parse_idx_header(const std::string &bytes, const std::string &path);
IdxHeader peek_idx(const std::string &path);
// Per-sample shape of an IDX images file: N x H x W becomes 1 x H x W.
std::vector<int64_t> idx_sample_shape(const std::vector<int64_t> &dims);

// NumPy .npy header.
struct NpyHeader {
    std::string descr;
    bool fortran = false;
    std::vector<int64_t> shape;
    size_t data_offset = 0;
};
NpyHeader parse_npy_header(const std::string &bytes, const std::string &path);
NpyHeader peek_npy(const std::string &path);
// dtype a descr is read as (float64 → float32, int64 → int32); throws for others.
vigil_dtype npy_result_dtype(const std::string &descr, const std::string &path);

// CSV: what the first lines say.
struct CsvLayout {
    bool header = false;
    std::vector<std::string> header_names;  // when header
    size_t columns = 0;
    int label_column = -1;  // -1 = none
};
CsvLayout peek_csv(const std::string &path, const CsvOptions &opt);
// Splits one CSV line: trims spaces, drops '\r', strips one pair of surrounding double quotes.
std::vector<std::string> split_csv_line(const std::string &line);

// Image folder: file list and classes, without decoding.
struct ImageFolderListing {
    std::vector<std::string> files;         // sorted, class by class
    std::vector<int32_t> labels;            // per file; empty when unlabelled
    std::vector<std::string> class_names;   // sorted subfolder names
};
ImageFolderListing list_image_folder(const std::string &dir);
// C x H x W of the first file (stbi_info; channels overrides C when not 0).
std::vector<int64_t> first_image_shape(const std::string &file, int channels);

} // namespace vigil::data::detail
