// images.cpp — folders of PNG/JPEG images via stb_image; class subfolders become labels.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#include <stb_image.h>

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace vigil::data {
namespace {

bool is_image_name(const fs::path &p) {
    std::string e = p.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
    return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp";
}

std::vector<std::string> image_files(const fs::path &dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && is_image_name(e.path())) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

struct Decoded {
    std::vector<uint8_t> chw;
    int w = 0, h = 0, c = 0;
};

// Decodes one image into C x H x W bytes; returns "" or the reason it failed.
std::string decode(const std::string &path, int want_channels, Decoded &out) {
    int w, h, c;
    unsigned char *px = stbi_load(path.c_str(), &w, &h, &c, want_channels);
    if (!px) return std::string("unreadable image (") + (stbi_failure_reason() ? stbi_failure_reason() : "unknown") + ")";
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
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw_input(dir + ": folder not found");
    if (opt.channels != 0 && opt.channels != 1 && opt.channels != 3)
        throw_input(dir + ": channels must be 0 (as stored), 1 or 3, got " + std::to_string(opt.channels));
    Dataset ds;
    ds.origin = dir;
    std::vector<std::pair<std::string, int32_t>> files;
    std::vector<std::string> subdirs;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (e.is_directory()) subdirs.push_back(e.path().filename().string());
    std::sort(subdirs.begin(), subdirs.end());
    for (const auto &f : image_files(dir)) files.emplace_back(f, -1);
    for (size_t k = 0; k < subdirs.size(); ++k) {
        ds.class_names.push_back(subdirs[k]);
        for (const auto &f : image_files(fs::path(dir) / subdirs[k])) files.emplace_back(f, static_cast<int32_t>(k));
    }
    const bool labelled = !subdirs.empty();
    if (labelled)
        for (const auto &[f, l] : files)
            if (l < 0) throw_input(f + ": image outside the class subfolders of " + dir + " (put every image in a class folder)");
    if (files.empty()) throw_input(dir + ": no PNG, JPEG or BMP images found");

    std::vector<Decoded> imgs;
    int channels = opt.channels;
    for (const auto &[f, l] : files) {
        Decoded d;
        std::string why = decode(f, channels, d);
        if (why.empty() && !imgs.empty() && (d.w != imgs[0].w || d.h != imgs[0].h))
            why = "size " + std::to_string(d.w) + "x" + std::to_string(d.h) + " differs from the first image's " +
                  std::to_string(imgs[0].w) + "x" + std::to_string(imgs[0].h);
        if (!why.empty()) {
            if (!bad) throw_input(f + ": " + why);
            bad->push_back({f, why});
            continue;
        }
        if (channels == 0) channels = d.c;
        imgs.push_back(std::move(d));
        ds.names.push_back(f);
        if (labelled) ds.labels.push_back(l);
    }
    if (imgs.empty()) throw_input(dir + ": none of the " + std::to_string(files.size()) + " images could be read");
    const int64_t per = static_cast<int64_t>(imgs[0].chw.size());
    ds.x = Tensor(VIGIL_DTYPE_UINT8, {static_cast<int64_t>(imgs.size()), imgs[0].c, imgs[0].h, imgs[0].w});
    for (size_t i = 0; i < imgs.size(); ++i) std::memcpy(ds.x.data<uint8_t>() + i * per, imgs[i].chw.data(), per);
    return ds;
}

} // namespace

Dataset read_image_folder(const std::string &dir, const ImageFolderOptions &opt) { return read_folder(dir, opt, nullptr); }

Dataset read_image_folder_lenient(const std::string &dir, const ImageFolderOptions &opt, std::vector<Unreadable> &bad) {
    return read_folder(dir, opt, &bad);
}

// First image's shape (C, H, W) for inspect_source, without decoding everything.
std::vector<int64_t> first_image_shape(const std::string &dir, int channels) {
    std::error_code ec;
    std::vector<std::string> files = image_files(dir);
    if (files.empty()) {
        std::vector<std::string> subdirs;
        for (const auto &e : fs::directory_iterator(dir, ec))
            if (e.is_directory()) subdirs.push_back(e.path().string());
        std::sort(subdirs.begin(), subdirs.end());
        for (const auto &s : subdirs)
            if (files = image_files(s); !files.empty()) break;
    }
    if (files.empty()) throw_input(dir + ": no PNG, JPEG or BMP images found");
    int w, h, c;
    if (!stbi_info(files[0].c_str(), &w, &h, &c)) throw_input(files[0] + ": unreadable image");
    return {channels ? channels : c, h, w};
}

} // namespace vigil::data
