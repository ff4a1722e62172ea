// data.hpp — data readers, pipeline data sources and the evaluation protocols.
//
// Why this file exists: pipelines read IDX (MNIST family), CIFAR binary,
// NumPy .npy, CSV feature tables and folders of PNG/JPEG images, and turn them
// into one-vs-rest or in-distribution-vs-OOD sets. Every malformed file gives
// one vigil::Error(Input) naming the file (or the JSON path) and the problem;
// no reader returns short, padded or NaN data.
#pragma once

#include <vigil/framework/tensor.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::data {

struct Dataset {
    Tensor x;                              // uint8 or float32, N x ...
    std::vector<int32_t> labels;           // empty = unlabelled; else one per sample
    std::vector<std::string> names;        // optional per-sample name (image path)
    std::vector<std::string> class_names;  // optional, indexed by label
    std::string origin;                    // where it came from, for messages
};

// ---- Readers (throw vigil::Error(Input) naming the file) ----
// Files may be gzip-compressed or plain, except images.

// Any IDX file of unsigned bytes (type 0x08), rank 1..4, as written (uint8).
Tensor read_idx_tensor(const std::string &path);
// IDX images (magic 2051: N x H x W → N x 1 x H x W uint8; rank 2 and 4 kept
// as written) and optional labels (magic 2049, one byte per image).
Dataset read_idx(const std::string &images, const std::string &labels = "");

// CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes →
// uint8 N x 3 x 32 x 32 and int32 labels. class_names from a sibling
// batches.meta.txt when present.
Dataset read_cifar(const std::vector<std::string> &files);

// NumPy .npy (format 1.0-3.0, C order, any rank >= 1): |u1 → uint8, <f4 → float32,
// <f8 → float32, <i4 / <i8 → int32 (range-checked). Float data must be finite.
Tensor read_npy(const std::string &path);
// Samples from `images` (uint8 or float) and optional integer labels (1-d).
Dataset read_npy_dataset(const std::string &images, const std::string &labels = "");

// CSV feature table → float32 N x D. Header "auto" = the first row is a header
// when any of its cells is not a number. Errors name line and column (1-based).
struct CsvOptions {
    std::string label_column;     // "" = no labels; a header name, or a 0-based index as text
    std::string header = "auto";  // "auto", "true", "false"
};
Dataset read_csv(const std::string &path, const CsvOptions &opt = {});

// Folder of PNG/JPEG images → uint8 N x C x H x W, files sorted by name,
// names = file paths. Non-hidden subfolders are classes (sorted → labels
// 0..K-1, class_names); without subfolders the images are unlabelled. Every
// non-hidden file is read: one that is not a complete image, or whose size
// differs from the first image's, is an error naming it.
struct ImageFolderOptions {
    int channels = 0;  // 0 = as the first image, 1 = grey, 3 = RGB
};
Dataset read_image_folder(const std::string &dir, const ImageFolderOptions &opt = {});
// As above, but files that fail (unreadable, truncated, not an image, other
// size) are skipped and listed in `bad`; the rest are returned. Throws only
// when the folder itself is unusable or no file at all can be read.
struct Unreadable {
    std::string path, reason;
};
Dataset read_image_folder_lenient(const std::string &dir, const ImageFolderOptions &opt, std::vector<Unreadable> &bad);

// ---- Pipeline sources ----
// A source object:
//   {"format": "idx",    "images": PATH, "labels": PATH?}
//   {"format": "cifar",  "files": [PATH, ...]}
//   {"format": "npy",    "images": PATH, "labels": PATH?}
//   {"format": "csv",    "path": PATH, "label_column": NAME|INDEX?, "header": true|false|"auto"?}
//   {"format": "images", "path": FOLDER, "channels": 0|1|3?}
// plus optional "classes": [int...] (keep those labels), "normal": [int...]
// (relabel 0 if in the list else 1), "limit": N (first N after filtering),
// applied in that order; or a pair {"in": SOURCE, "ood": SOURCE} (labels 0 / 1).
// Relative paths resolve against base_dir; json_path prefixes every message.

// Validates without reading payloads; one message per problem, each
// "<json_path>[/key]: problem". Empty = valid.
std::vector<std::string> check_source(const nlohmann::json &src, const std::string &base_dir, const std::string &json_path);

struct SourceInfo {
    int64_t count = -1;  // samples after filtering; -1 = unknown without reading everything
    std::vector<int64_t> sample_shape;
    vigil_dtype dtype = VIGIL_DTYPE_UINT8;
    bool labelled = false;
};
// Reads headers only (IDX/npy headers, CSV first lines, first image, CIFAR sizes).
// Throws Error(Pipeline) for an invalid source, Error(Input) for a bad file.
SourceInfo inspect_source(const nlohmann::json &src, const std::string &base_dir, const std::string &json_path);
// Reads and applies classes → normal → limit. Throws Error(Input) for bad or
// missing data, Error(Pipeline) for an invalid source object.
Dataset load_source(const nlohmann::json &src, const std::string &base_dir, const std::string &json_path);

// ---- Protocols ----
Dataset keep_classes(Dataset ds, const std::vector<int32_t> &classes);  // one-vs-rest training
Dataset one_vs_rest(Dataset ds, const std::vector<int32_t> &normal);    // labels → 0 normal / 1 anomaly
// In-distribution samples (label 0) followed by OOD samples (label 1). Per-sample
// shapes must match; differing dtypes are both converted to float32.
Dataset id_vs_ood(Dataset in, Dataset ood);
Dataset limit(Dataset ds, int64_t n);  // the first n samples (n >= 0)

// For `vigil score --input`: format "auto" picks by path: a folder → images,
// *.npy[.gz] → npy, *.csv[.gz] → csv (labels from a column named "label"),
// a name containing "idx3-ubyte" → idx (unlabelled), *.bin[.gz] → cifar.
Dataset load_path(const std::string &path, const std::string &format = "auto");

} // namespace vigil::data
