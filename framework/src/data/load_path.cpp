// load_path.cpp — one data path from the command line (`--input`), its format
// told from the name unless given.
#include "file_bytes.hpp"
#include "peek.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace fs = std::filesystem;

namespace vigil::data {
namespace {

constexpr const char *kSupported =
    "supported: a folder of PNG/JPEG images (images), *.npy (npy), *.csv (csv), IDX images named *idx3-ubyte* (idx), "
    "CIFAR-10 batches *.bin or *.bin.gz (cifar)";

std::string guess_format(const std::string &path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return "images";
    std::string name = fs::path(path).filename().string();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    using detail::ends_with;
    if (ends_with(name, ".npy") || ends_with(name, ".npy.gz")) return "npy";
    if (ends_with(name, ".csv") || ends_with(name, ".csv.gz")) return "csv";
    if (name.find("idx3-ubyte") != std::string::npos || name.find("idx3_ubyte") != std::string::npos) return "idx";
    if (ends_with(name, ".bin") || ends_with(name, ".bin.gz")) return "cifar";
    throw_input(path + ": cannot tell the data format from the name (" + kSupported + "); give the format explicitly");
}

} // namespace

Dataset load_path(const std::string &path, const std::string &format) {
    std::error_code ec;
    if (path.empty()) throw_input("no input path given");
    if (!fs::exists(path, ec)) throw_input(path + ": not found");
    const std::string fmt = format.empty() || format == "auto" ? guess_format(path) : format;
    if (fmt == "images") return read_image_folder(path);
    if (fmt == "npy") return read_npy_dataset(path);
    if (fmt == "idx") return read_idx(path);  // a labels file beside it is not guessed at
    if (fmt == "cifar") return read_cifar({path});
    if (fmt == "csv") {
        // Labels only from a header column named exactly "label".
        CsvOptions o;
        const detail::CsvLayout l = detail::peek_csv(path, o);
        if (std::find(l.header_names.begin(), l.header_names.end(), "label") != l.header_names.end()) o.label_column = "label";
        return read_csv(path, o);
    }
    throw_input("unknown data format '" + fmt + "' (auto, images, npy, csv, idx, cifar; " + kSupported + ")");
}

} // namespace vigil::data
