// data.hpp — data readers, pipeline data sources and the evaluation protocols.
//
// Why this file exists: pipelines read IDX (MNIST family), CIFAR binary,
// NumPy .npy, CSV feature tables and folders of PNG/JPEG images, and turn them
// into one-vs-rest or in-distribution-vs-OOD sets. Every malformed file gives
// one vigil::Error(Input) naming the file (or the JSON path) and the problem.
#pragma once

#include <vigil/framework/tensor.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::data {

struct Dataset {
    Tensor x;                              // uint8 or float32, N x ...
    std::vector<int32_t> labels;           // empty = unlabelled
    std::vector<std::string> names;        // optional per-sample name (image path)
    std::vector<std::string> class_names;  // optional
    std::string origin;                    // where it came from, for messages
};

// ---- Readers (throw vigil::Error(Input) naming the file) ----
// IDX images (magic 2051, N x 1 x H x W uint8) and optional labels (magic 2049).
Dataset read_idx(const std::string &images, const std::string &labels = "");
// CIFAR binary batches: records of 1 label byte + 3072 pixel bytes.
Dataset read_cifar(const std::vector<std::string> &files);
// NumPy .npy: uint8 / float32 kept; float64 → float32; int32 / int64 → int32 (labels).
Tensor read_npy(const std::string &path);
Dataset read_npy_dataset(const std::string &images, const std::string &labels = "");
// CSV: optional header ("auto": first row non-numeric), label column by name or index ("" = none).
struct CsvOptions {
    std::string label_column;  // "" = no labels; a header name, or a 0-based index as text
    std::string header = "auto";  // "auto", "true", "false"
};
Dataset read_csv(const std::string &path, const CsvOptions &opt = {});
// Folder of PNG/JPEG images (sorted); class subfolders give labels.
struct ImageFolderOptions {
    int channels = 0;  // 0 = as the first image, 1 = grey, 3 = RGB
};
struct Unreadable {
    std::string path, reason;
};
Dataset read_image_folder(const std::string &dir, const ImageFolderOptions &opt = {});
// As above, but unreadable images are skipped and listed instead of failing.
Dataset read_image_folder_lenient(const std::string &dir, const ImageFolderOptions &opt, std::vector<Unreadable> &bad);

// ---- Pipeline sources ----
// A source object: {"format": "idx"|"cifar"|"npy"|"csv"|"images", files..., "classes", "normal", "limit"}
// or a pair {"in": SOURCE, "ood": SOURCE}. Paths resolve against base_dir.
std::vector<std::string> check_source(const nlohmann::json &src, const std::string &base_dir, const std::string &json_path);
struct SourceInfo {
    int64_t count = -1;  // -1 = unknown without reading everything
    std::vector<int64_t> sample_shape;
    vigil_dtype dtype = VIGIL_DTYPE_UINT8;
    bool labelled = false;
};
SourceInfo inspect_source(const nlohmann::json &src, const std::string &base_dir, const std::string &json_path);
Dataset load_source(const nlohmann::json &src, const std::string &base_dir, const std::string &json_path);

// ---- Protocols ----
Dataset keep_classes(Dataset ds, const std::vector<int32_t> &classes);  // one-vs-rest training
Dataset one_vs_rest(Dataset ds, const std::vector<int32_t> &normal);    // labels → 0 normal / 1 anomaly
Dataset id_vs_ood(Dataset in, Dataset ood);                              // labels 0 / 1
Dataset limit(Dataset ds, int64_t n);

// For `vigil score --input`: format "auto" picks by path (folder, .npy, .csv, idx3-ubyte, .bin).
Dataset load_path(const std::string &path, const std::string &format = "auto");

} // namespace vigil::data
