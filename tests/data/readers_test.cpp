// readers_test.cpp — the IDX, CIFAR, npy and CSV readers on small files written
// here: values come back exactly, and each kind of malformed file gives one
// error naming the file and the problem.
#include "data_fixtures.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <cmath>
#include <filesystem>
#include <limits>

using namespace vigil;
using namespace vigil::test::data_files;
using vigil::test::error_of;
using vigil::test::temp_dir;
using vigil::test::write_text;

TEST_CASE("IDX, plain and gzipped, reads exactly") {
    const std::string dir = temp_dir("idx");
    write_text(dir + "/img", idx_images());
    write_text(dir + "/lab", idx_labels({7, 8, 9}));
    write_gz(dir + "/img.gz", idx_images());
    write_gz(dir + "/lab.gz", idx_labels({7, 8, 9}));
    for (const std::string suffix : {"", ".gz"}) {
        const data::Dataset ds = data::read_idx(dir + "/img" + suffix, dir + "/lab" + suffix);
        CHECK(ds.x.shape_str() == "3x1x2x2");
        CHECK(ds.x.dtype() == VIGIL_DTYPE_UINT8);
        CHECK(int(ds.x.data<uint8_t>()[0]) == 0);
        CHECK(int(ds.x.data<uint8_t>()[2 * 4 + 3]) == 23);
        CHECK(ds.labels == std::vector<int32_t>{7, 8, 9});
        CHECK(ds.origin == dir + "/img" + suffix);
    }
    // Generic IDX of bytes, rank 1 and 2, kept as written.
    const Tensor l = data::read_idx_tensor(dir + "/lab.gz");
    CHECK(l.shape_str() == "3");
    CHECK(int(l.data<uint8_t>()[1]) == 8);
    write_text(dir + "/table", std::string("\0\0\x08\x02", 4) + be32(2) + be32(3) + "abcdef");
    const Tensor t = data::read_idx_tensor(dir + "/table");
    CHECK(t.shape_str() == "2x3");
    CHECK(t.data<uint8_t>()[4] == 'e');
    // Rank 2 images are N x D features, kept as written.
    CHECK(data::read_idx(dir + "/table").x.shape_str() == "2x3");
}

TEST_CASE("malformed IDX files are named with the problem") {
    const std::string dir = temp_dir("idxbad");
    const std::string good = idx_images();
    write_text(dir + "/short", good.substr(0, good.size() - 2));
    CHECK(error_of([&] { data::read_idx(dir + "/short"); }) ==
          dir + "/short: truncated: header promises 3 images of shape 3x2x2 (12 bytes) but the file holds 10 bytes");
    write_text(dir + "/long", good + "xx");
    CHECK(error_of([&] { data::read_idx(dir + "/long"); }).find(dir + "/long: 2 bytes beyond the 12 the header describes") == 0);
    write_text(dir + "/magic", "\x01\x02\x03\x04" + good.substr(4));
    CHECK(error_of([&] { data::read_idx(dir + "/magic"); }).find(dir + "/magic: not an IDX file (bad magic") == 0);
    write_text(dir + "/float", std::string("\0\0\x0D\x03", 4) + good.substr(4));
    CHECK(error_of([&] { data::read_idx(dir + "/float"); }) ==
          dir + "/float: IDX element type 0x0D is not supported (only unsigned bytes, 0x08)");
    write_text(dir + "/img", good);
    write_text(dir + "/lab", idx_labels({1, 2}));
    CHECK(error_of([&] { data::read_idx(dir + "/img", dir + "/lab"); }) ==
          dir + "/lab: holds 2 labels but " + dir + "/img holds 3 images");
    CHECK(error_of([&] { data::read_idx(dir + "/lab"); }) ==
          dir + "/lab: IDX images need rank 2 to 4, got rank 1 (is this a labels file?)");
    CHECK(error_of([&] { data::read_idx(dir + "/img", dir + "/img"); }).find(dir + "/img: IDX labels must have rank 1, got rank 3") == 0);
    write_text(dir + "/lab3", idx_labels({1, 2, 3}).substr(0, 10));
    CHECK(error_of([&] { data::read_idx(dir + "/img", dir + "/lab3"); }) ==
          dir + "/lab3: truncated: header promises 3 labels of shape 3 (3 bytes) but the file holds 2 bytes");
    CHECK(error_of([&] { data::read_idx(dir + "/nothing"); }) == dir + "/nothing: file not found");
    CHECK(error_of([&] { data::read_idx(dir); }) == dir + ": is a folder, expected a file");
    // A header promising ~2^64 bytes must not overflow into a small size.
    write_text(dir + "/huge", std::string("\0\0\x08\x04", 4) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + be32(2) + "ab");
    CHECK(error_of([&] { data::read_idx(dir + "/huge"); }).find(dir + "/huge: truncated: header promises 4294967295 images") == 0);

    // A gzip stream cut in half, and one with a damaged byte in the middle.
    write_gz(dir + "/full.gz", idx_images(200));
    const std::string gz = read_bytes(dir + "/full.gz");
    write_text(dir + "/cut.gz", gz.substr(0, gz.size() / 2));
    CHECK(error_of([&] { data::read_idx(dir + "/cut.gz"); }).find(dir + "/cut.gz: damaged or truncated gzip data (") == 0);
    std::string flipped = gz;
    for (size_t i = gz.size() / 2; i < gz.size() / 2 + 8; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
    write_text(dir + "/flip.gz", flipped);
    CHECK(error_of([&] { data::read_idx(dir + "/flip.gz"); }).find(dir + "/flip.gz: damaged or truncated gzip data (") == 0);
}

TEST_CASE("CIFAR binary records: values, several files, class names; truncated and foreign files refused") {
    const std::string dir = temp_dir("cifar");
    write_gz(dir + "/a.bin.gz", cifar_records({3, 4}));
    write_text(dir + "/b.bin", cifar_records({9}));
    const data::Dataset ds = data::read_cifar({dir + "/a.bin.gz", dir + "/b.bin"});
    CHECK(ds.x.shape_str() == "3x3x32x32");
    CHECK(ds.labels == std::vector<int32_t>{3, 4, 9});
    CHECK(int(ds.x.data<uint8_t>()[3072 + 1024]) == (1024 + 1) % 256);  // record 1, green plane, first pixel
    CHECK(int(ds.x.data<uint8_t>()[2 * 3072 + 3071]) == (3071 + 0) % 256);  // record 2 is the first of b.bin
    CHECK(ds.class_names.empty());
    write_text(dir + "/batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
    const data::Dataset named = data::read_cifar({dir + "/b.bin"});
    REQUIRE(named.class_names.size() == 10);
    CHECK(named.class_names[9] == "truck");

    const std::string rec = cifar_records({1, 2});
    write_text(dir + "/t.bin", rec.substr(0, 5000));
    CHECK(error_of([&] { data::read_cifar({dir + "/b.bin", dir + "/t.bin"}); }) ==
          dir + "/t.bin: not a CIFAR-10 binary batch: 5000 bytes is not a whole number of 3073-byte records (truncated? 1 whole "
                "records and 1927 bytes more)");
    write_text(dir + "/l.bin", cifar_records({10}));
    CHECK(error_of([&] { data::read_cifar({dir + "/l.bin"}); }) ==
          dir + "/l.bin: record 0 has label 10, CIFAR-10 labels are 0..9 (not a CIFAR-10 batch, or a damaged one)");
    write_text(dir + "/empty.bin", "");
    CHECK(error_of([&] { data::read_cifar({dir + "/empty.bin"}); }).find(dir + "/empty.bin: empty file") == 0);
    CHECK(error_of([&] { data::read_cifar({}); }) == "CIFAR: no files given");
}

TEST_CASE("npy: uint8, float32, float64 and int64 read by value; version 2 headers") {
    const std::string dir = temp_dir("npy");
    vigil::test::write_npy<float>(dir + "/f.npy", {1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}, {3, 2});
    vigil::test::write_npy<uint8_t>(dir + "/u.npy", {1, 2, 3, 250}, {4});
    vigil::test::write_npy<int32_t>(dir + "/l.npy", {0, 1, 1}, {3});
    const data::Dataset ds = data::read_npy_dataset(dir + "/f.npy", dir + "/l.npy");
    CHECK(ds.x.shape_str() == "3x2");
    CHECK(ds.x.dtype() == VIGIL_DTYPE_FLOAT32);
    CHECK(ds.x.data<float>()[2] == 3.25f);
    CHECK(ds.x.data<float>()[1] == -2.0f);
    CHECK(ds.labels == std::vector<int32_t>{0, 1, 1});
    const Tensor u = data::read_npy(dir + "/u.npy");
    CHECK(u.dtype() == VIGIL_DTYPE_UINT8);
    CHECK(u.shape_str() == "4");
    CHECK(int(u.data<uint8_t>()[3]) == 250);

    write_text(dir + "/d.npy", npy_bytes("<f8", "(2, 1, 2)", raw<double>({0.5, -1.25, 1e10, 7}), 2));
    const Tensor d = data::read_npy(dir + "/d.npy");
    CHECK(d.dtype() == VIGIL_DTYPE_FLOAT32);
    CHECK(d.shape_str() == "2x1x2");
    CHECK(d.data<float>()[1] == -1.25f);
    CHECK(d.data<float>()[2] == 1e10f);
    write_text(dir + "/l8.npy", npy_bytes("<i8", "(2,)", raw<int64_t>({5, -3})));
    const Tensor l8 = data::read_npy(dir + "/l8.npy");
    CHECK(l8.dtype() == VIGIL_DTYPE_INT32);
    CHECK(l8.data<int32_t>()[1] == -3);
    write_gz(dir + "/z.npy.gz", read_bytes(dir + "/u.npy"));
    CHECK(int(data::read_npy(dir + "/z.npy.gz").data<uint8_t>()[2]) == 3);
}

TEST_CASE("npy: Fortran order, truncation, foreign dtypes, NaN and out-of-range values are refused") {
    const std::string dir = temp_dir("npybad");
    vigil::test::write_npy<float>(dir + "/f.npy", {1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}, {3, 2});
    vigil::test::write_npy<uint8_t>(dir + "/u.npy", {1, 2, 3, 250}, {4});
    const std::string bytes = read_bytes(dir + "/f.npy");
    write_text(dir + "/short.npy", bytes.substr(0, bytes.size() - 4));
    CHECK(error_of([&] { data::read_npy(dir + "/short.npy"); }) ==
          dir + "/short.npy: truncated: shape 3x2 (<f4) needs 24 bytes of data, the file holds 20");
    write_text(dir + "/fortran.npy", npy_bytes("<f4", "(3, 2)", bytes.substr(bytes.size() - 24), 1, true));
    CHECK(error_of([&] { data::read_npy(dir + "/fortran.npy"); }) ==
          dir + "/fortran.npy: Fortran-ordered (column-major) arrays are not supported; save with np.ascontiguousarray");
    write_text(dir + "/i2.npy", npy_bytes("<i2", "(2,)", raw<int16_t>({1, 2})));
    CHECK(error_of([&] { data::read_npy(dir + "/i2.npy"); }).find(dir + "/i2.npy: dtype '<i2' is not supported") == 0);
    write_text(dir + "/be.npy", npy_bytes(">f4", "(1,)", "abcd"));
    CHECK(error_of([&] { data::read_npy(dir + "/be.npy"); }).find(dir + "/be.npy: dtype '>f4' is not supported") == 0);
    write_text(dir + "/nan.npy", npy_bytes("<f4", "(2, 2)", raw<float>({1, 2, 3, std::numeric_limits<float>::quiet_NaN()})));
    CHECK(error_of([&] { data::read_npy(dir + "/nan.npy"); }) ==
          dir + "/nan.npy: sample 1 (element 3) is NaN; non-finite input is rejected");
    write_text(dir + "/big.npy", npy_bytes("<f8", "(1,)", raw<double>({1e300})));
    CHECK(error_of([&] { data::read_npy(dir + "/big.npy"); }).find(dir + "/big.npy: sample 0 (element 0) (") == 0);
    write_text(dir + "/wide.npy", npy_bytes("<i8", "(1,)", raw<int64_t>({int64_t(1) << 40})));
    CHECK(error_of([&] { data::read_npy(dir + "/wide.npy"); }) ==
          dir + "/wide.npy: sample 0 (element 0) (1099511627776) does not fit int32");
    write_text(dir + "/scalar.npy", npy_bytes("<f4", "()", raw<float>({1})));
    CHECK(error_of([&] { data::read_npy(dir + "/scalar.npy"); }) == dir + "/scalar.npy: a 0-d array holds no samples (need rank >= 1)");
    write_text(dir + "/magic.npy", "PK\x03\x04 this is a zip");
    CHECK(error_of([&] { data::read_npy(dir + "/magic.npy"); }) == dir + "/magic.npy: not a NumPy .npy file (bad magic)");
    write_text(dir + "/rec.npy", npy_with_dict("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "abcd"));
    CHECK(error_of([&] { data::read_npy(dir + "/rec.npy"); }).find("structured dtypes") != std::string::npos);
    // Dataset-level: labels must be integers matching the sample count; samples must not be integers.
    CHECK(error_of([&] { data::read_npy_dataset(dir + "/f.npy", dir + "/u.npy"); }) ==
          dir + "/u.npy: holds 4 labels but " + dir + "/f.npy holds 3 samples");
    CHECK(error_of([&] { data::read_npy_dataset(dir + "/u.npy", dir + "/f.npy"); }) ==
          dir + "/f.npy: labels must be integers ('<i4', '<i8' or '|u1'), got '<f4'");
    vigil::test::write_npy<int32_t>(dir + "/ints.npy", {1, 2}, {2});
    CHECK(error_of([&] { data::read_npy_dataset(dir + "/ints.npy"); }).find(dir + "/ints.npy: sample data must be uint8") == 0);
}

TEST_CASE("CSV: header and label column by name or index; values exact") {
    const std::string dir = temp_dir("csv");
    write_text(dir + "/t.csv", "a,label,b\n1,0,2\n\n3.5,1,-4e-1\r\n");
    data::CsvOptions o;
    o.label_column = "label";
    const data::Dataset ds = data::read_csv(dir + "/t.csv", o);
    CHECK(ds.x.shape_str() == "2x2");
    CHECK(ds.x.dtype() == VIGIL_DTYPE_FLOAT32);
    CHECK(ds.x.data<float>()[0] == 1.0f);
    CHECK(ds.x.data<float>()[2] == 3.5f);
    CHECK(ds.x.data<float>()[3] == -0.4f);
    CHECK(ds.labels == std::vector<int32_t>{0, 1});
    o.label_column = "1";  // a 0-based index also works with a header
    const data::Dataset by_index = data::read_csv(dir + "/t.csv", o);
    CHECK(by_index.labels == std::vector<int32_t>{0, 1});
    CHECK(by_index.x.data<float>()[1] == 2.0f);

    // No header (all numeric first row); quoted header names and a BOM are handled.
    write_text(dir + "/n.csv", "5, 6, 1\n7, 8, 0\n");
    o.label_column = "2";
    const data::Dataset n = data::read_csv(dir + "/n.csv", o);
    CHECK(n.x.shape_str() == "2x2");
    CHECK(n.x.data<float>()[3] == 8.0f);
    CHECK(n.labels == std::vector<int32_t>{1, 0});
    write_text(dir + "/q.csv", "\xEF\xBB\xBF\"x\",\"label\"\n0.25,3\n");
    o.label_column = "label";
    const data::Dataset q = data::read_csv(dir + "/q.csv", o);
    CHECK(q.x.data<float>()[0] == 0.25f);
    CHECK(q.labels == std::vector<int32_t>{3});
    // Without a label column every column is a feature; header "false" makes row 1 data (then fails as text).
    CHECK(data::read_csv(dir + "/n.csv").x.shape_str() == "2x3");
    data::CsvOptions nohead;
    nohead.header = "false";
    CHECK(error_of([&] { data::read_csv(dir + "/t.csv", nohead); }) == dir + "/t.csv:1: column 1: 'a' is not a number");
}

TEST_CASE("CSV: ragged rows, empty, NaN and text cells are named by line and column") {
    const std::string dir = temp_dir("csvbad");
    write_text(dir + "/ragged.csv", "1,2,3\n4,5,6\n\n7,8\n");
    CHECK(error_of([&] { data::read_csv(dir + "/ragged.csv"); }) == dir + "/ragged.csv:4: expected 3 columns (as on line 1), got 2");
    write_text(dir + "/nan.csv", "f1,f2\n1,2\n3,nan\n");
    CHECK(error_of([&] { data::read_csv(dir + "/nan.csv"); }) ==
          dir + "/nan.csv:3: column 2 ('f2'): 'nan' is NaN; NaN input is rejected");
    write_text(dir + "/empty_cell.csv", "1,2\n3,\n");
    CHECK(error_of([&] { data::read_csv(dir + "/empty_cell.csv"); }) == dir + "/empty_cell.csv:2: column 2: empty cell");
    write_text(dir + "/text.csv", "1,2\n3,4x\n");
    CHECK(error_of([&] { data::read_csv(dir + "/text.csv"); }) == dir + "/text.csv:2: column 2: '4x' is not a number");
    write_text(dir + "/inf.csv", "1,-inf\n");
    CHECK(error_of([&] { data::read_csv(dir + "/inf.csv"); }) == dir + "/inf.csv:1: column 2: '-inf' is infinite; non-finite input is rejected");
    write_text(dir + "/lab.csv", "x,y\n1,0.5\n");
    data::CsvOptions o;
    o.label_column = "y";
    CHECK(error_of([&] { data::read_csv(dir + "/lab.csv", o); }) == dir + "/lab.csv:2: column 2 ('y'): label '0.5' is not a 32-bit integer");
    o.label_column = "z";
    CHECK(error_of([&] { data::read_csv(dir + "/lab.csv", o); }) == dir + "/lab.csv: label column 'z' not found in the header (columns: x, y)");
    o.label_column = "5";
    CHECK(error_of([&] { data::read_csv(dir + "/lab.csv", o); }) ==
          dir + "/lab.csv: label column 5 is out of range (the table has 2 columns, 0-based indices 0..1)");
    write_text(dir + "/head.csv", "x,y\n");
    CHECK(error_of([&] { data::read_csv(dir + "/head.csv"); }) == dir + "/head.csv: the CSV has a header row but no data rows");
    write_text(dir + "/blank.csv", "\n \n");
    CHECK(error_of([&] { data::read_csv(dir + "/blank.csv"); }) == dir + "/blank.csv: empty CSV file");
}

TEST_CASE("real MNIST / Fashion-MNIST / CIFAR-10 test sets, when installed") {
    const std::string fm = "/usr/share/datasets/fashion-mnist";
    if (!std::filesystem::exists(fm + "/t10k-images-idx3-ubyte.gz")) {
        MESSAGE("skipped Fashion-MNIST: " << fm << " is missing (Debian package dataset-fashion-mnist)");
    } else {
        const data::Dataset ds = data::read_idx(fm + "/t10k-images-idx3-ubyte.gz", fm + "/t10k-labels-idx1-ubyte.gz");
        CHECK(ds.x.shape_str() == "10000x1x28x28");
        CHECK(ds.x.sample_shape() == std::vector<int64_t>{1, 28, 28});
        std::vector<int> counts(10);
        for (int32_t l : ds.labels) ++counts.at(l);
        CHECK(counts == std::vector<int>(10, 1000));
    }
    const std::string shared = "/work/shared/data";
    if (!std::filesystem::exists(shared + "/mnist/t10k-images-idx3-ubyte.gz")) {
        MESSAGE("skipped MNIST: " << shared << "/mnist is missing");
    } else {
        const nlohmann::json src = {{"format", "idx"},
                                    {"images", "mnist/t10k-images-idx3-ubyte.gz"},
                                    {"labels", "mnist/t10k-labels-idx1-ubyte.gz"},
                                    {"classes", {1}}};
        const data::Dataset ones = data::load_source(src, shared, "/data/train");
        CHECK(ones.x.shape_str() == "1135x1x28x28");  // the README's count of digit 1 in the test set
    }
    if (!std::filesystem::exists(shared + "/cifar10/test_batch.bin.gz")) {
        MESSAGE("skipped CIFAR-10: " << shared << "/cifar10 is missing");
    } else {
        const data::Dataset c = data::read_cifar({shared + "/cifar10/test_batch.bin.gz"});
        CHECK(c.x.shape_str() == "10000x3x32x32");
        std::vector<int> counts(10);
        for (int32_t l : c.labels) ++counts.at(l);
        CHECK(counts == std::vector<int>(10, 1000));
        REQUIRE(c.class_names.size() == 10);
        CHECK(c.class_names[0] == "airplane");
        double red = 0;
        for (int i = 0; i < 10000; ++i)
            for (int p = 0; p < 1024; ++p) red += c.x.data<uint8_t>()[size_t(i) * 3072 + p];
        CHECK(red / (10000.0 * 1024 * 255) == doctest::Approx(0.49421428).epsilon(1e-6));  // README's test mean, red
    }
}
