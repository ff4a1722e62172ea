// readers_test.cpp — every reader on small files written here: values come
// back exactly, and each kind of malformed file gives one error naming it.
#include "host_fixture.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <zlib.h>

// Third-party single-header writer for test fixtures; its own warnings are not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

using namespace vigil;

namespace {

std::string be32(uint32_t v) {
    return {char(v >> 24), char((v >> 16) & 255), char((v >> 8) & 255), char(v & 255)};
}

// 3 images of 2x2: image i holds bytes 10i, 10i+1, 10i+2, 10i+3.
std::string idx_images(int n = 3) {
    std::string b = be32(2051) + be32(n) + be32(2) + be32(2);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < 4; ++j) b += char(10 * i + j);
    return b;
}
std::string idx_labels(std::vector<int> l) {
    std::string b = be32(2049) + be32(static_cast<uint32_t>(l.size()));
    for (int v : l) b += char(v);
    return b;
}
void write_gz(const std::string &path, const std::string &bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

} // namespace

TEST_CASE("IDX, plain and gzipped, reads exactly") {
    const std::string dir = test::temp_dir("idx");
    test::write_text(dir + "/img", idx_images());
    test::write_text(dir + "/lab", idx_labels({7, 8, 9}));
    write_gz(dir + "/img.gz", idx_images());
    for (const std::string &img : {dir + "/img", dir + "/img.gz"}) {
        const data::Dataset ds = data::read_idx(img, dir + "/lab");
        CHECK(ds.x.shape_str() == "3x1x2x2");
        CHECK(ds.x.dtype() == VIGIL_DTYPE_UINT8);
        CHECK(int(ds.x.data<uint8_t>()[2 * 4 + 3]) == 23);
        CHECK(ds.labels == std::vector<int32_t>{7, 8, 9});
    }
}

TEST_CASE("malformed IDX files are named with the problem") {
    const std::string dir = test::temp_dir("idxbad");
    const std::string good = idx_images();
    test::write_text(dir + "/short", good.substr(0, good.size() - 2));
    CHECK(test::error_of([&] { data::read_idx(dir + "/short"); }) ==
          dir + "/short: truncated: header promises 3 images (12 bytes) but the file holds 10");
    test::write_text(dir + "/magic", "\x01\x02\x03\x04" + good.substr(4));
    CHECK(test::error_of([&] { data::read_idx(dir + "/magic"); }).find(dir + "/magic: not an IDX file (bad magic") == 0);
    test::write_text(dir + "/img", good);
    test::write_text(dir + "/lab", idx_labels({1, 2}));
    CHECK(test::error_of([&] { data::read_idx(dir + "/img", dir + "/lab"); }) ==
          dir + "/lab: holds 2 labels but " + dir + "/img holds 3 images");
    CHECK(test::error_of([&] { data::read_idx(dir + "/nothing"); }) == dir + "/nothing: file not found");
    // A gzip stream cut in half.
    write_gz(dir + "/full.gz", idx_images(200));
    std::string gz;
    {
        std::ifstream in(dir + "/full.gz", std::ios::binary);
        gz.assign(std::istreambuf_iterator<char>(in), {});
    }
    test::write_text(dir + "/cut.gz", gz.substr(0, gz.size() / 2));
    CHECK(test::error_of([&] { data::read_idx(dir + "/cut.gz"); }).find("damaged or truncated gzip data") != std::string::npos);
}

TEST_CASE("CIFAR binary records, and a truncated batch") {
    const std::string dir = test::temp_dir("cifar");
    std::string rec;
    for (int r = 0; r < 2; ++r) {
        rec += char(r + 3);
        for (int i = 0; i < 3072; ++i) rec += char((i + r) % 256);
    }
    write_gz(dir + "/b.bin.gz", rec);
    const data::Dataset ds = data::read_cifar({dir + "/b.bin.gz"});
    CHECK(ds.x.shape_str() == "2x3x32x32");
    CHECK(ds.labels == std::vector<int32_t>{3, 4});
    CHECK(int(ds.x.data<uint8_t>()[3072 + 1024]) == (1024 + 1) % 256);  // record 1, green plane, first pixel
    test::write_text(dir + "/t.bin", rec.substr(0, 5000));
    CHECK(test::error_of([&] { data::read_cifar({dir + "/t.bin"}); }) ==
          dir + "/t.bin: not a CIFAR binary batch: 5000 bytes is not a whole number of 3073-byte records (truncated?)");
}

TEST_CASE("npy: uint8 and float32 round trip; Fortran order and truncation rejected") {
    const std::string dir = test::temp_dir("npy");
    test::write_npy<float>(dir + "/f.npy", {1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}, {3, 2});
    test::write_npy<uint8_t>(dir + "/u.npy", {1, 2, 3, 250}, {4});
    test::write_npy<int32_t>(dir + "/l.npy", {0, 1, 1}, {3});
    const data::Dataset ds = data::read_npy_dataset(dir + "/f.npy", dir + "/l.npy");
    CHECK(ds.x.shape_str() == "3x2");
    CHECK(ds.x.data<float>()[2] == 3.25f);
    CHECK(ds.labels == std::vector<int32_t>{0, 1, 1});
    const Tensor u = data::read_npy(dir + "/u.npy");
    CHECK(u.dtype() == VIGIL_DTYPE_UINT8);
    CHECK(int(u.data<uint8_t>()[3]) == 250);
    std::string bytes;
    {
        std::ifstream in(dir + "/f.npy", std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    test::write_text(dir + "/short.npy", bytes.substr(0, bytes.size() - 4));
    CHECK(test::error_of([&] { data::read_npy(dir + "/short.npy"); }) ==
          dir + "/short.npy: truncated: shape promises 24 bytes of data, file holds 20");
    std::string fortran = bytes;
    fortran.replace(fortran.find("False"), 5, "True ");
    test::write_text(dir + "/fortran.npy", fortran);
    CHECK(test::error_of([&] { data::read_npy(dir + "/fortran.npy"); }).find("Fortran-ordered arrays are not supported") !=
          std::string::npos);
    CHECK(test::error_of([&] { data::read_npy_dataset(dir + "/f.npy", dir + "/u.npy"); }) ==
          dir + "/u.npy: holds 4 labels but " + dir + "/f.npy holds 3 samples");
}

TEST_CASE("CSV with header and label column; ragged rows and NaN cells named by line") {
    const std::string dir = test::temp_dir("csv");
    test::write_text(dir + "/t.csv", "a,label,b\n1,0,2\n3.5,1,-4\n");
    data::CsvOptions o;
    o.label_column = "label";
    const data::Dataset ds = data::read_csv(dir + "/t.csv", o);
    CHECK(ds.x.shape_str() == "2x2");
    CHECK(ds.x.data<float>()[2] == 3.5f);
    CHECK(ds.x.data<float>()[3] == -4.0f);
    CHECK(ds.labels == std::vector<int32_t>{0, 1});
    test::write_text(dir + "/ragged.csv", "1,2,3\n4,5\n");
    CHECK(test::error_of([&] { data::read_csv(dir + "/ragged.csv"); }) == dir + "/ragged.csv:2: expected 3 columns, got 2");
    test::write_text(dir + "/nan.csv", "1,2\n3,nan\n");
    CHECK(test::error_of([&] { data::read_csv(dir + "/nan.csv"); }) == dir + "/nan.csv:2: column 2: 'nan' is not a finite number");
}

TEST_CASE("image folders: class subfolders become labels; bad images are named or, leniently, listed") {
    const std::string dir = test::temp_dir("images");
    for (const char *cls : {"cat", "dog"}) std::filesystem::create_directories(dir + "/" + std::string(cls));
    unsigned char px[4 * 3 * 3];
    for (int i = 0; i < 36; ++i) px[i] = static_cast<unsigned char>(i * 7);
    stbi_write_png((dir + "/cat/a.png").c_str(), 4, 3, 3, px, 4 * 3);
    stbi_write_png((dir + "/dog/b.png").c_str(), 4, 3, 3, px, 4 * 3);
    stbi_write_png((dir + "/dog/c.png").c_str(), 4, 3, 3, px, 4 * 3);
    const data::Dataset ds = data::read_image_folder(dir);
    CHECK(ds.x.shape_str() == "3x3x3x4");
    CHECK(ds.labels == std::vector<int32_t>{0, 1, 1});
    CHECK(ds.class_names == std::vector<std::string>{"cat", "dog"});
    // CHW layout: channel 1 of pixel (y=0, x=1) is interleaved byte 1*3 + 1 = 4 -> 28.
    CHECK(int(ds.x.data<uint8_t>()[1 * 12 + 0 * 4 + 1]) == 28);
    data::ImageFolderOptions grey;
    grey.channels = 1;
    CHECK(data::read_image_folder(dir, grey).x.shape_str() == "3x1x3x4");

    test::write_text(dir + "/dog/broken.png", "\x89PNG\r\n\x1a\n truncated");
    CHECK(test::error_of([&] { data::read_image_folder(dir); }).find(dir + "/dog/broken.png: unreadable image") == 0);
    std::vector<data::Unreadable> bad;
    const data::Dataset ok = data::read_image_folder_lenient(dir, {}, bad);
    CHECK(ok.x.samples() == 3);
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].path == dir + "/dog/broken.png");
    std::filesystem::remove(dir + "/dog/broken.png");
    stbi_write_png((dir + "/dog/d.png").c_str(), 3, 3, 3, px, 3 * 3);
    CHECK(test::error_of([&] { data::read_image_folder(dir); }) ==
          dir + "/dog/d.png: size 3x3 differs from the first image's 4x3");
}

TEST_CASE("sources: checks name their JSON path; protocols filter and relabel") {
    const std::string dir = test::temp_dir("source");
    test::write_text(dir + "/img", idx_images(4));
    test::write_text(dir + "/lab", idx_labels({0, 1, 2, 0}));
    using json = nlohmann::json;
    auto errs = data::check_source(json{{"format", "idx"}, {"images", "img"}, {"imgaes", 1}}, dir, "/data/train");
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].find("/data/train/imgaes: unknown key 'imgaes' for format idx") == 0);
    errs = data::check_source(json{{"format", "idx"}, {"images", "missing"}, {"classes", {0}}}, dir, "/data/train");
    REQUIRE(errs.size() == 2);
    CHECK(errs[0] == "/data/train/images: file not found: " + dir + "/missing");
    CHECK(errs[1] == "/data/train/classes: needs labels, but this source has none");
    CHECK(data::check_source(json{{"format", "png"}}, dir, "/d")[0].find("/d/format: unknown format 'png'") == 0);

    const json train = {{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {0}}};
    const data::Dataset tr = data::load_source(train, dir, "/data/train");
    CHECK(tr.x.samples() == 2);
    CHECK(int(tr.x.data<uint8_t>()[4]) == 30);  // the second class-0 image is image 3
    const json test_src = {{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"normal", {0}}, {"limit", 3}};
    CHECK(data::load_source(test_src, dir, "/data/test").labels == std::vector<int32_t>{0, 1, 1});
    const data::SourceInfo info = data::inspect_source(train, dir, "/data/train");
    CHECK(info.sample_shape == std::vector<int64_t>{1, 2, 2});
    CHECK(info.count == 4);
    const json pair = {{"in", {{"format", "idx"}, {"images", "img"}}}, {"ood", {{"format", "idx"}, {"images", "img"}, {"limit", 1}}}};
    CHECK(data::check_source(pair, dir, "/data/test").empty());
    CHECK(data::load_source(pair, dir, "/data/test").labels == std::vector<int32_t>{0, 0, 0, 0, 1});
    CHECK(test::error_of([&] {
              data::load_source(json{{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {9}}}, dir, "/data/train");
          }) == "/data/train/classes: no sample has any of the classes [9]");
}

TEST_CASE("Fashion-MNIST test set, when installed") {
    const std::string d = "/usr/share/datasets/fashion-mnist";
    if (!std::filesystem::exists(d + "/t10k-images-idx3-ubyte.gz")) {
        MESSAGE("skipped: " << d << " is missing (Debian package dataset-fashion-mnist)");
        return;
    }
    const data::Dataset ds = data::read_idx(d + "/t10k-images-idx3-ubyte.gz", d + "/t10k-labels-idx1-ubyte.gz");
    CHECK(ds.x.shape_str() == "10000x1x28x28");
    std::vector<int> counts(10);
    for (int32_t l : ds.labels) ++counts.at(l);
    CHECK(counts == std::vector<int>(10, 1000));
}
