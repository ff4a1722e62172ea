// images.cpp — folders of PNG/JPEG images via stb_image; class subfolders become labels.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_MAX_DIMENSIONS (1 << 14)  // larger is corrupt or hostile here, not a data set image
#include <stb_image.h>

#include "file_bytes.hpp"
#include "image_check.hpp"
#include "peek.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <climits>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace vigil::data {
namespace {

bool hidden(const fs::path &p) {
    const std::string n = p.filename().string();
    return !n.empty() && n[0] == '.';
}

std::vector<std::string> files_in(const fs::path &dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (!hidden(e.path()) && e.is_regular_file(ec)) out.push_back(e.path().string());
    if (ec) throw_input(dir.string() + ": cannot list folder (" + ec.message() + ")");
    std::sort(out.begin(), out.end());
    return out;
}

// stb_image's short failure reasons, said for a user.
std::string reason_text(const std::string &stb_reason) {
    if (stb_reason == "unknown image type") return "not a PNG or JPEG image";
    if (stb_reason == "too large") return "image too large (more than 16384 pixels a side)";
    return "unreadable image (" + stb_reason + ")";
}

struct Decoded {
    std::vector<uint8_t> chw;
    int w = 0, h = 0, c = 0;
};

// Decodes one file into C x H x W bytes; returns "" or why it cannot be used.
std::string decode(const std::string &path, int want_channels, Decoded &out) {
    std::string bytes;
    try {
        bytes = detail::read_raw(path);
    } catch (const Error &e) {
        return e.what();
    }
    if (bytes.empty()) return "empty file";
    if (bytes.size() > static_cast<size_t>(INT_MAX)) return "file too large for an image";
    if (std::string why = detail::png_problem(bytes); !why.empty()) return why;
    if (std::string why = detail::jpeg_problem(bytes); !why.empty()) return why;
    int w = 0, h = 0, c = 0;
    unsigned char *px = stbi_load_from_memory(reinterpret_cast<const stbi_uc *>(bytes.data()), static_cast<int>(bytes.size()),
                                              &w, &h, &c, want_channels);
    if (!px) {
        const std::string r = stbi_failure_reason() ? stbi_failure_reason() : "unknown";
        return reason_text(r);
    }
    const int ch = want_channels ? want_channels : c;
    out.w = w, out.h = h, out.c = ch;
    out.chw.resize(static_cast<size_t>(w) * h * ch);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < ch; ++k) out.chw[(size_t(k) * h + y) * w + x] = px[(size_t(y) * w + x) * ch + k];
    stbi_image_free(px);
    return "";
}

Dataset read_folder(const std::string &dir, const ImageFolderOptions &opt, std::vector<Unreadable> *bad) {
    if (opt.channels != 0 && opt.channels != 1 && opt.channels != 3)
        throw_input(dir + ": channels must be 0 (as stored), 1 or 3, got " + std::to_string(opt.channels));
    const detail::ImageFolderListing list = detail::list_image_folder(dir);
    Dataset ds;
    ds.origin = dir;
    ds.class_names = list.class_names;
    std::vector<uint8_t> pixels;
    Decoded first;
    int channels = opt.channels;
    for (size_t i = 0; i < list.files.size(); ++i) {
        const std::string &f = list.files[i];
        Decoded d;
        std::string why = decode(f, channels, d);
        if (why.empty() && !ds.names.empty() && (d.w != first.w || d.h != first.h))
            why = "size " + std::to_string(d.w) + "x" + std::to_string(d.h) + " differs from the first image's " +
                  std::to_string(first.w) + "x" + std::to_string(first.h) + " (" + ds.names.front() + ")";
        if (!why.empty()) {
            if (!bad) throw_input(f + ": " + why);
            bad->push_back({f, why});
            continue;
        }
        if (ds.names.empty()) {
            channels = d.c;
            first.w = d.w, first.h = d.h, first.c = d.c;
            pixels.reserve(d.chw.size() * (list.files.size() - i));
        }
        pixels.insert(pixels.end(), d.chw.begin(), d.chw.end());
        ds.names.push_back(f);
        if (!list.labels.empty()) ds.labels.push_back(list.labels[i]);
    }
    if (ds.names.empty())
        throw_input(dir + ": none of the " + std::to_string(list.files.size()) + " files is a readable image (first: " +
                    (bad && !bad->empty() ? bad->front().path + ": " + bad->front().reason : std::string("?")) + ")");
    ds.x = Tensor(VIGIL_DTYPE_UINT8, {static_cast<int64_t>(ds.names.size()), first.c, first.h, first.w});
    std::memcpy(ds.x.raw(), pixels.data(), pixels.size());
    return ds;
}

} // namespace

namespace detail {

ImageFolderListing list_image_folder(const std::string &dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw_input(dir + ": folder not found");
    if (!fs::is_directory(dir, ec)) throw_input(dir + ": is not a folder (expected a folder of images)");
    std::vector<std::string> subdirs;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (!hidden(e.path()) && e.is_directory(ec)) subdirs.push_back(e.path().filename().string());
    if (ec) throw_input(dir + ": cannot list folder (" + ec.message() + ")");
    std::sort(subdirs.begin(), subdirs.end());
    ImageFolderListing out;
    out.files = files_in(dir);
    if (!subdirs.empty() && !out.files.empty())
        throw_input(out.files.front() + ": file outside the class subfolders of " + dir +
                    " (with subfolders, every image must be in a class folder)");
    for (size_t k = 0; k < subdirs.size(); ++k) {
        out.class_names.push_back(subdirs[k]);
        for (auto &f : files_in(fs::path(dir) / subdirs[k])) {
            out.files.push_back(std::move(f));
            out.labels.push_back(static_cast<int32_t>(k));
        }
    }
    if (out.files.empty())
        throw_input(dir + (subdirs.empty() ? ": no image files found" : ": the class subfolders hold no image files"));
    return out;
}

std::vector<int64_t> first_image_shape(const std::string &file, int channels) {
    int w = 0, h = 0, c = 0;
    if (!stbi_info(file.c_str(), &w, &h, &c)) {
        const std::string r = stbi_failure_reason() ? stbi_failure_reason() : "unknown";
        throw_input(file + ": " + reason_text(r));
    }
    return {channels ? channels : c, h, w};
}

} // namespace detail

Dataset read_image_folder(const std::string &dir, const ImageFolderOptions &opt) { return read_folder(dir, opt, nullptr); }

Dataset read_image_folder_lenient(const std::string &dir, const ImageFolderOptions &opt, std::vector<Unreadable> &bad) {
    return read_folder(dir, opt, &bad);
}

} // namespace vigil::data
