// sources_test.cpp — pipeline data sources: every check names its JSON path,
// inspection reads headers only, loading applies classes → normal → limit, ID
// vs OOD pairs get labels 0 / 1, and `--input` paths pick their format.
#include "data_fixtures.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <filesystem>

using namespace vigil;
using namespace vigil::test::data_files;
using vigil::test::error_of;
using vigil::test::temp_dir;
using vigil::test::write_text;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// img: 4 images 2x2 (image i holds 10i..10i+3), lab: labels 0 1 2 0,
// f.npy: 3 float samples of 2 features, l.npy: labels 0 1 1, t.csv: 2 rows.
std::string make_dir() {
    const std::string dir = temp_dir("source");
    write_text(dir + "/img", idx_images(4));
    write_text(dir + "/lab", idx_labels({0, 1, 2, 0}));
    write_text(dir + "/lab3", idx_labels({0, 1, 2}));
    vigil::test::write_npy<float>(dir + "/f.npy", {1, 2, 3, 4, 5, 6}, {3, 2});
    vigil::test::write_npy<int32_t>(dir + "/l.npy", {0, 1, 1}, {3});
    vigil::test::write_npy<float>(dir + "/g.npy", {1, 2, 3, 4}, {1, 1, 2, 2});
    write_text(dir + "/t.csv", "x,y,label\n1,2,0\n3,4,1\n");
    fs::create_directories(dir + "/flat");
    write_text(dir + "/cifar.bin", cifar_records({1, 2, 3}));
    return dir;
}


ErrorKind kind_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const Error &e) {
        return e.kind();
    }
    return ErrorKind::Internal;
}

} // namespace

TEST_CASE("check_source: each problem is one message at its JSON path") {
    const std::string dir = make_dir();
    auto check = [&](const json &src) { return data::check_source(src, dir, "/data/train"); };
    using V = std::vector<std::string>;

    CHECK(check({{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {0}}, {"normal", {0}}, {"limit", 2}}).empty());
    CHECK(check({{"format", "idx"}, {"images", "img"}, {"imgaes", 1}}) ==
          V{"/data/train/imgaes: unknown key 'imgaes' for format idx (did you mean 'images'?); allowed: classes, format, images, "
            "labels, limit, normal"});
    CHECK(check({{"format", "idx"}, {"images", "missing.gz"}, {"classes", {0}}}) ==
          V{"/data/train/images: file not found: " + dir + "/missing.gz",
            "/data/train/classes: needs labels, but this source has none (add \"labels\")"});
    CHECK(check({{"format", "idx"}, {"images", dir + "/flat"}}) ==
          V{"/data/train/images: is a folder, expected a file: " + dir + "/flat"});
    CHECK(check({{"format", "png"}}) == V{"/data/train/format: unknown format 'png' (one of idx, cifar, npy, csv, images)"});
    CHECK(check({{"format", 3}}) == V{"/data/train/format: must be a string (one of idx, cifar, npy, csv, images), got 3"});
    CHECK(check({{"images", "img"}}) == V{"/data/train: missing key 'format' (one of idx, cifar, npy, csv, images)"});
    CHECK(check({{"format", "npy"}}) == V{"/data/train: missing key 'images' for format npy"});
    CHECK(check(json::array()) ==
          V{"/data/train: a data source must be an object with a \"format\", or {\"in\": SOURCE, \"ood\": SOURCE}"});
    CHECK(check({{"format", "npy"}, {"images", 5}}) == V{"/data/train/images: must be a non-empty path string, got 5"});
    CHECK(check({{"format", "cifar"}, {"files", "cifar.bin"}}) ==
          V{"/data/train/files: must be a non-empty array of paths, got \"cifar.bin\""});
    CHECK(check({{"format", "cifar"}, {"files", {"cifar.bin", "nope.bin"}}}) ==
          V{"/data/train/files/1: file not found: " + dir + "/nope.bin"});
    CHECK(check({{"format", "images"}, {"path", "flat"}, {"channels", 2}}) ==
          V{"/data/train/channels: must be 0 (as stored), 1 (grey) or 3 (RGB), got 2"});
    CHECK(check({{"format", "images"}, {"path", "img"}}) == V{"/data/train/path: not a folder: " + dir + "/img"});
    CHECK(check({{"format", "images"}, {"path", "flat"}, {"normal", {0}}}) ==
          V{"/data/train/normal: needs labels, but this source has none (the folder has no class subfolders)"});
    CHECK(check({{"format", "csv"}, {"path", "t.csv"}, {"header", "yes"}, {"label_column", -1}}) ==
          V{"/data/train/header: must be true, false or \"auto\", got \"yes\"",
            "/data/train/label_column: must be a column name or a 0-based column index, got -1"});
    CHECK(check({{"format", "csv"}, {"path", "t.csv"}, {"classes", {1}}}) ==
          V{"/data/train/classes: needs labels, but this source has none (add \"label_column\")"});
    CHECK(check({{"format", "npy"}, {"images", "f.npy"}, {"limit", 0}, {"classes", "0"}, {"normal", {0.5}}}) ==
          V{"/data/train/limit: must be an integer >= 1, got 0", "/data/train/classes: must be a non-empty array of integer labels, got \"0\"",
            "/data/train/normal: must be a non-empty array of integer labels, got [0.5]"});
    CHECK(check({{"format", "npy"}, {"images", "f.npy"}, {"labels", "l.npy"}, {"classes", {1, 2}}, {"normal", {0}}}) ==
          V{"/data/train/normal: none of [0] is among the kept classes [1,2], so no sample would be normal"});
    CHECK(check({{"format", "npy"}, {"images", "f.npy"}, {"a/b", 1}})[0].find("/data/train/a~1b: unknown key 'a/b'") == 0);

    // ID-vs-OOD pairs: each side checked at its own path.
    CHECK(check({{"in", {{"format", "npy"}, {"images", "f.npy"}}}, {"ood", {{"format", "npy"}, {"images", "x.npy"}}}, {"limit", 3}}) ==
          V{"/data/train/limit: unknown key 'limit' in an in-distribution/OOD pair (allowed: in, ood; put other keys inside each source)",
            "/data/train/ood/images: file not found: " + dir + "/x.npy"});
    CHECK(check({{"in", {{"format", "npy"}, {"images", "f.npy"}}}}) ==
          V{"/data/train: missing key 'ood' (an in-distribution/OOD pair needs both 'in' and 'ood')"});
}

TEST_CASE("inspect_source reads headers only and applies limit to the count") {
    const std::string dir = make_dir();
    const data::SourceInfo idx = data::inspect_source({{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"limit", 3}}, dir, "/d");
    CHECK(idx.count == 3);
    CHECK(idx.sample_shape == std::vector<int64_t>{1, 2, 2});
    CHECK(idx.dtype == VIGIL_DTYPE_UINT8);
    CHECK(idx.labelled);
    CHECK(data::inspect_source({{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {0}}}, dir, "/d").count == -1);
    CHECK(error_of([&] { data::inspect_source({{"format", "idx"}, {"images", "img"}, {"labels", "lab3"}}, dir, "/d"); }) ==
          "/d: " + dir + "/lab3: holds 3 labels but " + dir + "/img holds 4 images");

    const data::SourceInfo npy = data::inspect_source({{"format", "npy"}, {"images", "f.npy"}}, dir, "/d");
    CHECK(npy.count == 3);
    CHECK(npy.sample_shape == std::vector<int64_t>{2});
    CHECK(npy.dtype == VIGIL_DTYPE_FLOAT32);
    CHECK_FALSE(npy.labelled);
    // Only the header is read: a payload cut short is found when loading.
    const std::string bytes = read_bytes(dir + "/f.npy");
    write_text(dir + "/cut.npy", bytes.substr(0, bytes.size() - 4));
    CHECK(data::inspect_source({{"format", "npy"}, {"images", "cut.npy"}}, dir, "/d").count == 3);
    CHECK(error_of([&] { data::load_source({{"format", "npy"}, {"images", "cut.npy"}}, dir, "/data/test"); }) ==
          "/data/test: " + dir + "/cut.npy: truncated: shape 3x2 (<f4) needs 24 bytes of data, the file holds 20");

    const data::SourceInfo csv = data::inspect_source({{"format", "csv"}, {"path", "t.csv"}, {"label_column", "label"}}, dir, "/d");
    CHECK(csv.sample_shape == std::vector<int64_t>{2});
    CHECK(csv.dtype == VIGIL_DTYPE_FLOAT32);
    CHECK(csv.labelled);
    CHECK(data::inspect_source({{"format", "csv"}, {"path", "t.csv"}}, dir, "/d").sample_shape == std::vector<int64_t>{3});

    const data::SourceInfo cifar = data::inspect_source({{"format", "cifar"}, {"files", {"cifar.bin", "cifar.bin"}}}, dir, "/d");
    CHECK(cifar.count == 6);
    CHECK(cifar.sample_shape == std::vector<int64_t>{3, 32, 32});
    write_gz(dir + "/cifar.bin.gz", cifar_records({1}));
    CHECK(data::inspect_source({{"format", "cifar"}, {"files", {"cifar.bin.gz"}}}, dir, "/d").count == -1);

    // An invalid source is a pipeline error; only a missing file is an input error.
    CHECK(kind_of([&] { data::inspect_source({{"format", "idx"}}, dir, "/d"); }) == ErrorKind::Pipeline);
    CHECK(kind_of([&] { data::load_source({{"format", "idx"}, {"images", "gone"}}, dir, "/d"); }) == ErrorKind::Input);
    CHECK(error_of([&] { data::load_source({{"format", "idx"}, {"images", "gone"}}, dir, "/d"); }) ==
          "/d/images: file not found: " + dir + "/gone");

    // Pairs: shapes must match.
    const json pair = {{"in", {{"format", "npy"}, {"images", "f.npy"}}}, {"ood", {{"format", "idx"}, {"images", "img"}}}};
    CHECK(error_of([&] { data::inspect_source(pair, dir, "/data/test"); }) ==
          "/data/test/ood: per-sample shape 1x2x2 differs from /data/test/in's 2");
    CHECK(kind_of([&] { data::inspect_source(pair, dir, "/data/test"); }) == ErrorKind::Pipeline);
    const json same = {{"in", {{"format", "npy"}, {"images", "g.npy"}}}, {"ood", {{"format", "idx"}, {"images", "img"}}}};
    const data::SourceInfo p = data::inspect_source(same, dir, "/data/test");
    CHECK(p.count == 5);
    CHECK(p.dtype == VIGIL_DTYPE_FLOAT32);
    CHECK(p.labelled);
}

TEST_CASE("load_source: classes, then normal, then limit") {
    const std::string dir = make_dir();
    const json train = {{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {0}}};
    const data::Dataset tr = data::load_source(train, dir, "/data/train");
    CHECK(tr.x.shape_str() == "2x1x2x2");
    CHECK(tr.labels == std::vector<int32_t>{0, 0});
    CHECK(int(tr.x.data<uint8_t>()[4]) == 30);  // the second class-0 image is image 3
    const json test_src = {{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"normal", {0}}, {"limit", 3}};
    const data::Dataset te = data::load_source(test_src, dir, "/data/test");
    CHECK(te.labels == std::vector<int32_t>{0, 1, 1});
    CHECK(te.class_names == std::vector<std::string>{"normal", "anomalous"});
    // classes before normal before limit: keep 1 and 2, class 2 normal, first one.
    const json all3 = {{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {1, 2}}, {"normal", {2}}, {"limit", 1}};
    const data::Dataset one = data::load_source(all3, dir, "/d");
    CHECK(one.labels == std::vector<int32_t>{1});
    CHECK(int(one.x.data<uint8_t>()[0]) == 10);  // image 1 (label 1 → anomalous)
    CHECK(error_of([&] {
              data::load_source(json{{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"classes", {9}}}, dir, "/data/train");
          }) == "/data/train/classes: no sample has any of the classes [9] (the labels are 0, 1, 2)");
    CHECK(error_of([&] {
              data::load_source(json{{"format", "idx"}, {"images", "img"}, {"labels", "lab"}, {"normal", {7}}}, dir, "/data/test");
          }) == "/data/test/normal: no sample has any of the classes [7] (the labels are 0, 1, 2)");
    // CSV with a label column, through the source form.
    const data::Dataset csv = data::load_source({{"format", "csv"}, {"path", "t.csv"}, {"label_column", 2}, {"header", true}}, dir, "/d");
    CHECK(csv.labels == std::vector<int32_t>{0, 1});
    CHECK(csv.x.data<float>()[3] == 4.0f);
}

TEST_CASE("in-distribution vs OOD: labels 0 then 1, names kept, shapes checked") {
    const std::string dir = make_dir();
    const json pair = {{"in", {{"format", "idx"}, {"images", "img"}}}, {"ood", {{"format", "idx"}, {"images", "img"}, {"limit", 1}}}};
    CHECK(data::check_source(pair, dir, "/data/test").empty());
    const data::Dataset ds = data::load_source(pair, dir, "/data/test");
    CHECK(ds.labels == std::vector<int32_t>{0, 0, 0, 0, 1});
    CHECK(ds.x.shape_str() == "5x1x2x2");
    CHECK(int(ds.x.data<uint8_t>()[4 * 4 + 1]) == 1);  // the OOD sample is image 0
    CHECK(ds.class_names == std::vector<std::string>{"in-distribution", "ood"});

    data::Dataset in, ood;
    in.x = Tensor(VIGIL_DTYPE_UINT8, {2, 2});
    in.x.data<uint8_t>()[3] = 9;
    in.names = {"a", "b"};
    ood.x = Tensor(VIGIL_DTYPE_FLOAT32, {1, 2});
    ood.x.data<float>()[1] = 0.5f;
    const data::Dataset mixed = data::id_vs_ood(in, ood);
    CHECK(mixed.x.dtype() == VIGIL_DTYPE_FLOAT32);
    CHECK(mixed.x.data<float>()[3] == 9.0f);
    CHECK(mixed.x.data<float>()[5] == 0.5f);
    CHECK(mixed.labels == std::vector<int32_t>{0, 0, 1});
    CHECK(mixed.names == std::vector<std::string>{"a", "b", ""});
    data::Dataset wide;
    wide.x = Tensor(VIGIL_DTYPE_UINT8, {1, 3});
    wide.origin = "w.npy";
    in.origin = "in.npy";
    CHECK(error_of([&] { data::id_vs_ood(in, wide); }) ==
          "cannot pair in-distribution data in.npy (per-sample shape 2) with OOD data w.npy (per-sample shape 3): the shapes must match");
    const json bad = {{"in", {{"format", "npy"}, {"images", "f.npy"}}}, {"ood", {{"format", "idx"}, {"images", "img"}}}};
    CHECK(error_of([&] { data::load_source(bad, dir, "/data/test"); }) == "/data/test/ood: per-sample shape 1x2x2 differs from /data/test/in's 2");
}

TEST_CASE("protocol functions on their own") {
    data::Dataset ds;
    ds.x = Tensor(VIGIL_DTYPE_FLOAT32, {4, 1});
    for (int i = 0; i < 4; ++i) ds.x.data<float>()[i] = static_cast<float>(i);
    ds.labels = {3, 1, 3, 2};
    ds.names = {"a", "b", "c", "d"};
    ds.class_names = {"c0", "c1", "c2", "c3"};
    const data::Dataset k = data::keep_classes(ds, {3, 2});
    CHECK(k.labels == std::vector<int32_t>{3, 3, 2});
    CHECK(k.names == std::vector<std::string>{"a", "c", "d"});
    CHECK(k.x.data<float>()[2] == 3.0f);
    CHECK(k.class_names == ds.class_names);
    CHECK(data::one_vs_rest(ds, {1, 2}).labels == std::vector<int32_t>{1, 0, 1, 0});
    const data::Dataset l = data::limit(ds, 2);
    CHECK(l.x.samples() == 2);
    CHECK(l.names == std::vector<std::string>{"a", "b"});
    CHECK(data::limit(ds, 10).x.samples() == 4);
    data::Dataset unl;
    unl.x = Tensor(VIGIL_DTYPE_FLOAT32, {1, 1});
    unl.origin = "u.csv";
    CHECK(error_of([&] { data::keep_classes(unl, {0}); }) == "u.csv: cannot keep classes of unlabelled data");
}

TEST_CASE("load_path picks the format from the path") {
    const std::string dir = make_dir();
    CHECK(data::load_path(dir + "/f.npy").x.shape_str() == "3x2");
    CHECK(data::load_path(dir + "/f.npy").labels.empty());
    const data::Dataset csv = data::load_path(dir + "/t.csv");
    CHECK(csv.x.shape_str() == "2x2");  // the column named "label" holds labels
    CHECK(csv.labels == std::vector<int32_t>{0, 1});
    write_text(dir + "/nolabel.csv", "a,b,c\n1,2,3\n");
    CHECK(data::load_path(dir + "/nolabel.csv").x.shape_str() == "1x3");
    fs::copy_file(dir + "/img", dir + "/t10k-images-idx3-ubyte");
    fs::copy_file(dir + "/lab", dir + "/t10k-labels-idx1-ubyte");
    const data::Dataset idx = data::load_path(dir + "/t10k-images-idx3-ubyte");
    CHECK(idx.x.shape_str() == "4x1x2x2");
    CHECK(idx.labels.empty());  // a labels file beside it is not guessed at
    fs::copy_file(dir + "/cifar.bin", dir + "/batch.bin");
    CHECK(data::load_path(dir + "/batch.bin").labels == std::vector<int32_t>{1, 2, 3});
    CHECK(data::load_path(dir + "/img", "idx").x.samples() == 4);
    CHECK(error_of([&] { data::load_path(dir + "/img"); }) ==
          dir + "/img: cannot tell the data format from the name (supported: a folder of PNG/JPEG images (images), *.npy (npy), "
                "*.csv (csv), IDX images named *idx3-ubyte* (idx), CIFAR-10 batches *.bin or *.bin.gz (cifar)); give the format explicitly");
    CHECK(error_of([&] { data::load_path(dir + "/nope.npy"); }) == dir + "/nope.npy: not found");
    CHECK(error_of([&] { data::load_path(dir + "/img", "tiff"); }).find("unknown data format 'tiff'") == 0);
    CHECK(error_of([&] { data::load_path(dir + "/flat"); }) == dir + "/flat: no image files found");
}
