// images_test.cpp — folders of PNG/JPEG images written here with
// stb_image_write: class subfolders give labels, pixels arrive as C x H x W,
// and truncated, corrupted, foreign or odd-sized files are named (strict) or
// listed (lenient).
#include "data_fixtures.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <filesystem>

// Third-party single-header writer for test fixtures; its own warnings are not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

using namespace vigil;
using namespace vigil::test::data_files;
using vigil::test::error_of;
using vigil::test::temp_dir;
using vigil::test::write_text;
namespace fs = std::filesystem;

namespace {

// w x h x 3 interleaved pixels, byte i = (i * 7 + seed) % 256.
std::vector<unsigned char> pixels(int w, int h, int c = 3, int seed = 0) {
    std::vector<unsigned char> px(static_cast<size_t>(w) * h * c);
    for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<unsigned char>((i * 7 + seed) % 256);
    return px;
}

void png(const std::string &path, int w, int h, int c = 3, int seed = 0) {
    const auto px = pixels(w, h, c, seed);
    REQUIRE(stbi_write_png(path.c_str(), w, h, c, px.data(), w * c) != 0);
}

} // namespace

TEST_CASE("image folder: class subfolders become labels, pixels C x H x W, grey conversion") {
    const std::string dir = temp_dir("images");
    for (const char *cls : {"cat", "dog", ".hidden"}) fs::create_directories(dir + "/" + cls);
    png(dir + "/cat/a.png", 4, 3);
    png(dir + "/dog/c.png", 4, 3, 3, 1);
    png(dir + "/dog/b.png", 4, 3, 3, 2);
    write_text(dir + "/dog/.DS_Store", "not an image, but hidden");
    write_text(dir + "/.hidden/x.txt", "ignored");
    const data::Dataset ds = data::read_image_folder(dir);
    CHECK(ds.x.shape_str() == "3x3x3x4");
    CHECK(ds.x.dtype() == VIGIL_DTYPE_UINT8);
    CHECK(ds.labels == std::vector<int32_t>{0, 1, 1});
    CHECK(ds.class_names == std::vector<std::string>{"cat", "dog"});
    CHECK(ds.names == std::vector<std::string>{dir + "/cat/a.png", dir + "/dog/b.png", dir + "/dog/c.png"});
    // CHW: channel 1 of pixel (y=0, x=1) is interleaved byte 1*3 + 1 = 4 -> 28.
    CHECK(int(ds.x.data<uint8_t>()[1 * 12 + 0 * 4 + 1]) == 28);
    // Channel 2 of pixel (y=2, x=3) of b.png (seed 2): byte (2*4+3)*3+2 = 35 -> (245 + 2) % 256.
    CHECK(int(ds.x.data<uint8_t>()[36 + 2 * 12 + 2 * 4 + 3]) == 247);

    data::ImageFolderOptions grey;
    grey.channels = 1;
    const data::Dataset g = data::read_image_folder(dir, grey);
    CHECK(g.x.shape_str() == "3x1x3x4");
    CHECK(int(g.x.data<uint8_t>()[0]) == ((0 * 77 + 7 * 150 + 14 * 29) >> 8));  // stb's luma of (0, 7, 14)
    data::ImageFolderOptions bad_channels;
    bad_channels.channels = 2;
    CHECK(error_of([&] { data::read_image_folder(dir, bad_channels); }) == dir + ": channels must be 0 (as stored), 1 or 3, got 2");
}

TEST_CASE("image folder without subfolders: unlabelled, sorted by name; channels follow the first image") {
    const std::string dir = temp_dir("flat");
    png(dir + "/z.png", 2, 2, 3);
    png(dir + "/a.png", 2, 2, 1, 5);  // grey first: the RGB one is converted to grey
    png(dir + "/m.png", 2, 2, 1, 9);
    const data::Dataset ds = data::read_image_folder(dir);
    CHECK(ds.x.shape_str() == "3x1x2x2");
    CHECK(ds.labels.empty());
    CHECK(ds.class_names.empty());
    CHECK(ds.names == std::vector<std::string>{dir + "/a.png", dir + "/m.png", dir + "/z.png"});
    CHECK(int(ds.x.data<uint8_t>()[4 + 1]) == 16);  // m.png, pixel 1: 7 + 9
    data::ImageFolderOptions rgb;
    rgb.channels = 3;
    const data::Dataset c = data::read_image_folder(dir, rgb);
    CHECK(c.x.shape_str() == "3x3x2x2");
    CHECK(int(c.x.data<uint8_t>()[4]) == 5);  // grey replicated into green
}

TEST_CASE("image folder: an image of another size is named") {
    const std::string dir = temp_dir("sizes");
    fs::create_directories(dir + "/cat");
    fs::create_directories(dir + "/dog");
    png(dir + "/cat/a.png", 4, 3);
    png(dir + "/dog/b.png", 4, 3);
    png(dir + "/dog/d.png", 3, 3);
    CHECK(error_of([&] { data::read_image_folder(dir); }) ==
          dir + "/dog/d.png: size 3x3 differs from the first image's 4x3 (" + dir + "/cat/a.png)");
    std::vector<data::Unreadable> bad;
    const data::Dataset ok = data::read_image_folder_lenient(dir, {}, bad);
    CHECK(ok.x.shape_str() == "2x3x3x4");
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].path == dir + "/dog/d.png");
}

TEST_CASE("truncated, corrupted and non-image files: named by default, listed by the lenient reader") {
    const std::string dir = temp_dir("broken");
    png(dir + "/a_good.png", 16, 16);
    png(dir + "/e_good.png", 16, 16, 3, 3);
    png(dir + "/full.png", 16, 16, 3, 1);
    const std::string full = read_bytes(dir + "/full.png");
    fs::remove(dir + "/full.png");
    write_text(dir + "/b_cut.png", full.substr(0, full.size() / 2));
    std::string flipped = full;
    flipped[33 + 8 + 20] = static_cast<char>(flipped[33 + 8 + 20] ^ 0x10);  // inside IDAT's data
    write_text(dir + "/c_flip.png", flipped);
    write_text(dir + "/d_notes.txt", "hello");

    CHECK(error_of([&] { data::read_image_folder(dir); }).find(dir + "/b_cut.png: truncated PNG: ends inside chunk IDAT") == 0);
    std::vector<data::Unreadable> bad;
    const data::Dataset ok = data::read_image_folder_lenient(dir, {}, bad);
    CHECK(ok.x.shape_str() == "2x3x16x16");
    CHECK(ok.names == std::vector<std::string>{dir + "/a_good.png", dir + "/e_good.png"});
    CHECK(int(ok.x.data<uint8_t>()[3 * 256]) == 3);  // e_good.png, red, first pixel
    REQUIRE(bad.size() == 3);
    CHECK(bad[0].path == dir + "/b_cut.png");
    CHECK(bad[0].reason.find("truncated PNG") == 0);
    CHECK(bad[1].path == dir + "/c_flip.png");
    CHECK(bad[1].reason == "corrupted PNG: checksum (CRC) mismatch in chunk IDAT at byte 33");
    CHECK(bad[2].path == dir + "/d_notes.txt");
    CHECK(bad[2].reason == "not a PNG or JPEG image");

    // Nothing readable at all: the lenient reader fails too, naming the first reason.
    const std::string none = temp_dir("none");
    write_text(none + "/x.png", "\x89PNG");
    std::vector<data::Unreadable> all_bad;
    CHECK(error_of([&] { data::read_image_folder_lenient(none, {}, all_bad); }) ==
          none + ": none of the 1 files is a readable image (first: " + none + "/x.png: truncated PNG: ends inside the signature)");
}

TEST_CASE("JPEG: complete files read, truncated ones refused") {
    const std::string dir = temp_dir("jpeg");
    std::vector<unsigned char> flat(16 * 16 * 3, 200);
    REQUIRE(stbi_write_jpg((dir + "/a.jpg").c_str(), 16, 16, 3, flat.data(), 95) != 0);
    const data::Dataset ds = data::read_image_folder(dir);
    CHECK(ds.x.shape_str() == "1x3x16x16");
    CHECK(std::abs(int(ds.x.data<uint8_t>()[100]) - 200) <= 2);  // lossy, but a flat image stays flat
    // A busy image has a long scan; cut inside it.
    const auto busy = pixels(16, 16);
    REQUIRE(stbi_write_jpg((dir + "/full.jpg").c_str(), 16, 16, 3, busy.data(), 95) != 0);
    const std::string full = read_bytes(dir + "/full.jpg");
    fs::remove(dir + "/full.jpg");
    REQUIRE(full.size() > 600);
    write_text(dir + "/b.jpg", full.substr(0, full.size() - 100));
    CHECK(error_of([&] { data::read_image_folder(dir); }) ==
          dir + "/b.jpg: truncated JPEG: image data ends before the end-of-image marker");
    // Bytes after the end-of-image marker (e.g. appended metadata) are fine.
    fs::remove(dir + "/b.jpg");
    write_text(dir + "/c.jpg", full + "trailing data \xFF\xDA");
    CHECK(data::read_image_folder(dir).x.samples() == 2);
}

TEST_CASE("image folder layout errors") {
    const std::string dir = temp_dir("layout");
    CHECK(error_of([&] { data::read_image_folder(dir); }) == dir + ": no image files found");
    CHECK(error_of([&] { data::read_image_folder(dir + "/missing"); }) == dir + "/missing: folder not found");
    fs::create_directories(dir + "/cls");
    CHECK(error_of([&] { data::read_image_folder(dir); }) == dir + ": the class subfolders hold no image files");
    png(dir + "/cls/a.png", 2, 2);
    png(dir + "/stray.png", 2, 2);
    CHECK(error_of([&] { data::read_image_folder(dir); }) ==
          dir + "/stray.png: file outside the class subfolders of " + dir + " (with subfolders, every image must be in a class folder)");
    CHECK(error_of([&] { data::read_image_folder(dir + "/stray.png"); }) ==
          dir + "/stray.png: is not a folder (expected a folder of images)");
}
