// cli_test.cpp — the `vigil` command end to end: verbs, JSON output, exit
// codes, and that `fit` + `score` reproduce `run`'s scores exactly.
#include "cli_runner.hpp"
#include "host_fixture.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

using json = nlohmann::json;

namespace {

using Result = vigil::test::CliResult;
using vigil::test::vigil_cmd;

// A pipeline over blobs: knn on raw features, npy files in a fresh folder.
std::string make_pipeline(const std::string &detector = "knn") {
    const std::string dir = vigil::test::temp_dir("cli");
    std::vector<float> x;
    std::vector<int32_t> y;
    vigil::test::two_blobs(400, 6, 11, x, y);
    std::vector<float> train;
    for (int i = 0; i < 400; ++i)
        if (y[i] == 0) train.insert(train.end(), x.begin() + i * 6, x.begin() + (i + 1) * 6);
    vigil::test::write_npy(dir + "/train.npy", train, {static_cast<int64_t>(train.size() / 6), 6});
    vigil::test::write_npy(dir + "/test.npy", x, {400, 6});
    vigil::test::write_npy(dir + "/test_labels.npy", y, {400});
    vigil::test::write_text(dir + "/p.json", R"({
      "name": "blobs",
      "data": {"train": {"format": "npy", "images": "train.npy"},
               "test": {"format": "npy", "images": "test.npy", "labels": "test_labels.npy"}},
      "stages": [{"extractor": "standardize"}, {"detector": ")" + detector + R"(", "params": {}}]})");
    return dir;
}

std::vector<std::string> column(const std::string &csv_path, const std::string &name) {
    std::ifstream in(csv_path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> head;
    std::stringstream hs(line);
    for (std::string c; std::getline(hs, c, ',');) head.push_back(c);
    size_t col = 0;
    while (col < head.size() && head[col] != name) ++col;
    std::vector<std::string> out;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string c;
        for (size_t i = 0; i <= col; ++i) std::getline(ss, c, ',');
        out.push_back(c);
    }
    return out;
}

} // namespace

TEST_CASE("help and usage errors") {
    const Result h = vigil_cmd("--help");
    CHECK(h.code == 0);
    CHECK(h.out.find("exit codes:") != std::string::npos);
    for (const char *verb : {"plugins", "run", "fit", "score", "eval", "bench"}) {
        const Result r = vigil_cmd(std::string(verb) + " --help");
        CAPTURE(verb);
        CHECK(r.code == 0);
        CHECK(r.out.find("usage: vigil " + std::string(verb)) != std::string::npos);
    }
    CHECK(vigil_cmd("frobnicate").code == 2);
    const Result r = vigil_cmd("run");
    CHECK(r.code == 2);
    CHECK(r.out.find("missing PIPELINE.json") != std::string::npos);
    CHECK(vigil_cmd("run x.json --no-such-option").code == 2);
}

TEST_CASE("vigil plugins lists the built plugins and the variant chosen here") {
    const Result r = vigil_cmd("plugins --json", false);
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    std::map<std::string, json> by_name;
    for (const auto &p : j["plugins"]) by_name[p["name"].get<std::string>()] = p;
    for (const char *n : {"knn", "mahalanobis", "raw", "standardize", "gcn_minmax", "roc", "threshold"}) {
        CAPTURE(n);
        REQUIRE(by_name.count(n) == 1);
        CHECK(by_name[n]["chosen"] == "cpu");
        CHECK(by_name[n]["params_schema"].is_object());
    }
    CHECK(by_name["knn"]["kind"] == "detector");
}

TEST_CASE("run prints metrics; fit + score reproduce run's scores exactly; eval reads them back") {
    const std::string dir = make_pipeline();
    const Result run = vigil_cmd("run " + dir + "/p.json --json --scores-out " + dir + "/run.csv", false);
    REQUIRE(run.code == 0);
    const json j = json::parse(run.out);
    CHECK(j["n_train"] == 200);
    CHECK(j["n_test"] == 400);
    CHECK(j["metrics"]["roc"]["auroc"].get<double>() > 0.99);
    CHECK(j["metrics"]["threshold"].contains("f1"));
    // Which plugin build ran each stage (kept by `vigil bench` beside its numbers).
    REQUIRE(j["stages"].size() == 2);
    CHECK(j["stages"][0]["kind"] == "extractor");
    CHECK(j["stages"][0]["name"] == "standardize");
    CHECK(j["stages"][1]["kind"] == "detector");
    CHECK(j["stages"][1]["name"] == "knn");
    CHECK(j["stages"][1]["backend"] == "cpu");
    CHECK(!j["stages"][1]["version"].get<std::string>().empty());

    REQUIRE(vigil_cmd("fit " + dir + "/p.json -o " + dir + "/m.vgm").code == 0);
    REQUIRE(vigil_cmd("score " + dir + "/m.vgm --input " + dir + "/test.npy --out " + dir + "/score.csv").code == 0);
    const auto a = column(dir + "/run.csv", "score"), b = column(dir + "/score.csv", "score");
    REQUIRE(a.size() == 400);
    CHECK(a == b);  // printed with %.9g: equal text means bit-identical floats

    const Result ev = vigil_cmd("eval " + dir + "/run.csv --json", false);
    REQUIRE(ev.code == 0);
    CHECK(json::parse(ev.out)["roc"]["auroc"] == j["metrics"]["roc"]["auroc"]);
    const Result evm = vigil_cmd("eval " + dir + "/m.vgm --json -e roc", false);
    REQUIRE(evm.code == 0);
    CHECK(json::parse(evm.out)["roc"]["auroc"] == j["metrics"]["roc"]["auroc"]);
}

TEST_CASE("exit codes: invalid pipeline 4, bad data 3, failing plugin 5") {
    const std::string dir = make_pipeline();
    vigil::test::write_text(dir + "/bad.json", R"({"data": {}, "stages": [{"detector": "knn", "params": {"k": 0}}]})");
    const Result bad = vigil_cmd("run " + dir + "/bad.json");
    CHECK(bad.code == 4);
    CHECK(bad.out.find("/stages/0/params/k: 0 must be >= 1") != std::string::npos);
    CHECK(bad.out.find("/data: missing key 'train'") != std::string::npos);

    // The file exists (validation passes) but is truncated: found when read.
    std::ifstream in(dir + "/test.npy", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    vigil::test::write_text(dir + "/test.npy", bytes.substr(0, bytes.size() - 100));
    const Result trunc = vigil_cmd("run " + dir + "/p.json");
    CHECK(trunc.code == 3);
    CHECK(trunc.out.find("/data/test: " + dir + "/test.npy: truncated") != std::string::npos);

    const std::string d2 = make_pipeline("mock_throws");
    const Result thr = vigil_cmd("run " + d2 + "/p.json -q -P " + VIGIL_MOCK_PLUGIN_DIR);
    CHECK(thr.code == 5);
    CHECK(thr.out.find("mock_throws (cpu) fit: mock failure inside fit [VIGIL_ERR_INTERNAL]") != std::string::npos);

    const Result model = vigil_cmd("score " + dir + "/p.json");
    CHECK(model.code == 3);
    CHECK(model.out.find("not a Vigil model file") != std::string::npos);
}
