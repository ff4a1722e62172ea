// bench_test.cpp — `vigil bench` end to end on a tiny matrix (knn and
// mahalanobis, Fashion-MNIST classes 0 and 1, one seed, 300 training and 500
// test images): its results equal separate `vigil run`s of each cell, a second
// run reruns nothing, the regression gate fires on a doctored baseline and
// passes on the true one, a crashing cell fails alone, and bad matrices are
// refused naming the JSON path.
#include "cli_runner.hpp"
#include "host_fixture.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kFmnist = "/usr/share/datasets/fashion-mnist";

using Result = vigil::test::CliResult;
using vigil::test::vigil_cmd;

json read_json(const std::string &path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    return json::parse(in);
}

std::string read_text(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

json source(const std::string &role, int limit) {
    const std::string pre = role == "train" ? "train" : "t10k";
    return {{"format", "idx"},
            {"images", kFmnist + "/" + pre + "-images-idx3-ubyte.gz"},
            {"labels", kFmnist + "/" + pre + "-labels-idx1-ubyte.gz"},
            {"limit", limit}};
}

json tiny_matrix(const json &extra_pipelines = json::array()) {
    json pipelines = json::array({
        {{"name", "knn"}, {"stages", {{{"extractor", "raw"}}, {{"detector", "knn"}, {"params", {{"k", 5}}}}}}},
        {{"name", "mahalanobis"}, {"stages", {{{"extractor", "raw"}}, {{"detector", "mahalanobis"}}}}},
    });
    for (const auto &p : extra_pipelines) pipelines.push_back(p);
    return {{"name", "tiny"},
            {"threads", 1},
            {"seeds", {0}},
            {"device", "cpu"},
            {"datasets", {{"fmnist", {{"train", source("train", 300)}, {"test", source("test", 500)}, {"classes", {0, 1}}}}}},
            {"pipelines", pipelines}};
}

// The cell's pipeline written independently of `vigil bench`: what a user
// would run by hand for that cell.
json hand_pipeline(const json &stages, int normal) {
    json train = source("train", 300), test = source("test", 500);
    train["classes"] = {normal};
    test["normal"] = {normal};
    return {{"data", {{"train", train}, {"test", test}}}, {"stages", stages}, {"evaluate", {"roc", "threshold"}}, {"device", "cpu"}, {"seed", 0}};
}

} // namespace

TEST_CASE("vigil bench: tiny matrix end to end, equal to per-cell runs, resumable, gated") {
    REQUIRE_MESSAGE(fs::exists(kFmnist + "/train-images-idx3-ubyte.gz"), "needs Debian's dataset-fashion-mnist");
    const std::string dir = vigil::test::temp_dir("bench");
    const json m = tiny_matrix();
    vigil::test::write_text(dir + "/m.json", m.dump(1));

    const Result first = vigil_cmd("bench " + dir + "/m.json -o " + dir + "/out --jobs 2 --threads 1 --budget 2");
    INFO(first.out);
    REQUIRE(first.code == 0);
    CHECK(first.out.find("4 cells to run, 0 already finished") != std::string::npos);
    CHECK(first.out.find("[4/4]") != std::string::npos);  // one plain progress line per cell (stderr is a pipe)
    for (const char *f : {"results.json", "results.csv", "results.md", "report.html"}) CHECK(fs::exists(dir + "/out/" + f));

    const json res = read_json(dir + "/out/results.json");
    CHECK(res["format"] == "vigil-bench-results/1");
    REQUIRE(res["cells"].size() == 4);
    for (const auto &[pipe, stages] : {std::pair<std::string, json>{"knn", m["pipelines"][0]["stages"]}, {"mahalanobis", m["pipelines"][1]["stages"]}})
        for (int normal : {0, 1}) {
            const std::string id = pipe + "|fmnist|" + std::to_string(normal) + "|s0";
            CAPTURE(id);
            REQUIRE(res["cells"].contains(id));
            const json &cell = res["cells"][id];
            CHECK(cell["status"] == "ok");
            CHECK(cell["n_train"] == 300);
            CHECK(cell["n_test"] == 500);
            CHECK(cell["backend"] == "cpu");
            CHECK(cell["pipeline_hash"].get<std::string>().size() == 16);
            CHECK(cell["peak_rss_mib"].get<double>() > 10);
            CHECK(cell["fit_seconds"].get<double>() >= 0);
            bool has_detector = false;
            for (const auto &p : cell["plugins"])
                if (p["kind"] == "detector") has_detector = p["name"] == pipe && !p["version"].get<std::string>().empty();
            CHECK(has_detector);

            // The same cell by hand: every metric and every score must be identical.
            const std::string p = dir + "/" + pipe + std::to_string(normal);
            vigil::test::write_text(p + ".json", hand_pipeline(stages, normal).dump(1));
            const Result run = vigil_cmd("run " + p + ".json --json -q -j 1 --scores-out " + p + ".csv");
            REQUIRE(run.code == 0);
            const json r = json::parse(run.out);
            CHECK(cell["metrics"] == r["metrics"]);
            CHECK(r["metrics"]["roc"]["auroc"].get<double>() > 0.8);  // the data really is the one-vs-rest task
            // Peak memory is the cell process's own report (its stdout log), not
            // wait4's ru_maxrss, which Linux floors at the bench process's peak;
            // the same pipeline run by hand peaks within a few MiB of it.
            const json logged = read_json(dir + "/out/" + cell["log"]["stdout"].get<std::string>());
            CHECK(cell["peak_rss_mib"] == logged["peak_rss_mib"]);
            CHECK(std::abs(cell["peak_rss_mib"].get<double>() - r["peak_rss_mib"].get<double>()) < 16.0);
            CHECK(read_text(dir + "/out/" + cell["scores"].get<std::string>()) == read_text(p + ".csv"));
        }
    // The Markdown table shows the AUROCs of the results, best of the row in bold.
    const std::string md = read_text(dir + "/out/results.md");
    const double k0 = res["cells"]["knn|fmnist|0|s0"]["metrics"]["roc"]["auroc"], m0 = res["cells"]["mahalanobis|fmnist|0|s0"]["metrics"]["roc"]["auroc"];
    char a[16], b[16];
    std::snprintf(a, sizeof a, "%.4f", k0);
    std::snprintf(b, sizeof b, "%.4f", m0);
    CHECK(md.find(std::string("**") + (k0 >= m0 ? a : b) + "**") != std::string::npos);
    // The report is self-contained: no external script, stylesheet or image.
    const std::string html = read_text(dir + "/out/report.html");
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("data:image/png;base64,") != std::string::npos);
    CHECK(html.find("src='http") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);

    SUBCASE("a second run reruns nothing") {
        const Result again = vigil_cmd("bench " + dir + "/m.json -o " + dir + "/out -q");
        CHECK(again.code == 0);
        const json res2 = read_json(dir + "/out/results.json");
        for (const auto &[id, c] : res["cells"].items()) CHECK(res2["cells"][id]["finished"] == c["finished"]);
        const Result loud = vigil_cmd("bench " + dir + "/m.json -o " + dir + "/out");
        CHECK(loud.out.find("0 cells to run, 4 already finished") != std::string::npos);
    }
    SUBCASE("the gate passes on the true baseline and fires on a doctored one") {
        fs::copy_file(dir + "/out/results.json", dir + "/base.json", fs::copy_options::overwrite_existing);
        const Result pass = vigil_cmd("bench --results " + dir + "/out/results.json --baseline " + dir + "/base.json");
        CHECK(pass.code == 0);
        CHECK(pass.out.find("0 of 4 cells regressed") != std::string::npos);

        json doctored = res;
        doctored["cells"]["knn|fmnist|1|s0"]["metrics"]["roc"]["auroc"] = k0 + 0.0;  // unchanged
        doctored["cells"]["knn|fmnist|0|s0"]["metrics"]["roc"]["auroc"] = k0 + 0.006;  // now 0.6 points worse
        vigil::test::write_text(dir + "/doctored.json", doctored.dump());
        const Result fire = vigil_cmd("bench --results " + dir + "/out/results.json --baseline " + dir + "/doctored.json --tolerance 0.5");
        CHECK(fire.code == 6);
        CHECK(fire.out.find("REGRESSED knn|fmnist|0|s0: AUROC") != std::string::npos);
        CHECK(fire.out.find("REGRESSED knn|fmnist|1|s0") == std::string::npos);
        CHECK(fire.out.find("REGRESSED mahalanobis") == std::string::npos);
        CHECK(fire.out.find("1 of 4 cells regressed") != std::string::npos);
        // 0.6 points is within a 1-point tolerance.
        CHECK(vigil_cmd("bench --results " + dir + "/out/results.json --baseline " + dir + "/doctored.json --tolerance 1").code == 0);
        // Through a matrix run (nothing reruns, then the gate).
        const Result via = vigil_cmd("bench " + dir + "/m.json -o " + dir + "/out -q --baseline " + dir + "/doctored.json");
        CHECK(via.code == 6);
        CHECK(via.out.find("REGRESSED knn|fmnist|0|s0") != std::string::npos);

        // Time: a baseline 10x faster regresses with factor 2 and no floor, not with the default 1 s floor.
        json fast = res;
        for (auto &[id, c] : fast["cells"].items()) {
            (void)id;
            c["fit_seconds"] = c["fit_seconds"].get<double>() / 10;
            c["score_seconds"] = c["score_seconds"].get<double>() / 10;
        }
        vigil::test::write_text(dir + "/fast.json", fast.dump());
        const Result slow = vigil_cmd("bench --results " + dir + "/out/results.json --baseline " + dir + "/fast.json --time-floor 0");
        CHECK(slow.code == 6);
        CHECK(slow.out.find("fit + score") != std::string::npos);
        CHECK(vigil_cmd("bench --results " + dir + "/out/results.json --baseline " + dir + "/fast.json").code == 0);

        // A baseline cell missing from the results regresses.
        json extra = res;
        extra["cells"]["lof|fmnist|0|s0"] = res["cells"]["knn|fmnist|0|s0"];
        vigil::test::write_text(dir + "/extra.json", extra.dump());
        const Result miss = vigil_cmd("bench --results " + dir + "/out/results.json --baseline " + dir + "/extra.json");
        CHECK(miss.code == 6);
        CHECK(miss.out.find("REGRESSED lof|fmnist|0|s0: missing") != std::string::npos);
    }
}

TEST_CASE("vigil bench: a crashing cell fails alone, with its error; it reruns next time") {
    const std::string dir = vigil::test::temp_dir("bench-fail");
    json m = tiny_matrix(json::array({{{"name", "broken"}, {"stages", {{{"extractor", "raw"}}, {{"detector", "mock_throws"}}}}}}));
    m["datasets"]["fmnist"]["classes"] = {1};
    vigil::test::write_text(dir + "/m.json", m.dump(1));
    const std::string cmd = "bench " + dir + "/m.json -o " + dir + "/out -q -P " + VIGIL_MOCK_PLUGIN_DIR;
    const Result r = vigil_cmd(cmd);
    INFO(r.out);
    CHECK(r.code == 7);
    const json res = read_json(dir + "/out/results.json");
    CHECK(res["cells"]["knn|fmnist|1|s0"]["status"] == "ok");
    CHECK(res["cells"]["mahalanobis|fmnist|1|s0"]["status"] == "ok");
    const json &bad = res["cells"]["broken|fmnist|1|s0"];
    CHECK(bad["status"] == "failed");
    CHECK(bad["failure"] == "exit code 5");
    CHECK(bad["error"].get<std::string>().find("mock failure inside fit") != std::string::npos);
    const Result again = vigil_cmd("bench " + dir + "/m.json -o " + dir + "/out -P " + VIGIL_MOCK_PLUGIN_DIR);
    CHECK(again.code == 7);
    CHECK(again.out.find("1 cells to run, 2 already finished") != std::string::npos);
}

TEST_CASE("vigil bench: invalid matrices are refused with the JSON path") {
    const std::string dir = vigil::test::temp_dir("bench-bad");
    json m = tiny_matrix();
    m["datasets"]["fmnist"]["train"]["images"] = "/nonexistent/train-images-idx3-ubyte.gz";
    m["pipelines"][0]["stages"][1]["params"]["k"] = 0;
    m["pipelines"][1]["colour"] = "red";
    vigil::test::write_text(dir + "/m.json", m.dump(1));
    const Result r = vigil_cmd("bench " + dir + "/m.json -o " + dir + "/out");
    CHECK(r.code == 4);
    CHECK(r.out.find("/datasets/fmnist/train/images") != std::string::npos);
    CHECK(r.out.find("dataset 'fmnist'") != std::string::npos);
    CHECK(r.out.find("/pipelines/1/colour: unknown key") != std::string::npos);
    CHECK(!fs::exists(dir + "/out/results.json"));

    // Parameters are checked against the plugin's schema before any cell runs.
    json m2 = tiny_matrix();
    m2["pipelines"][0]["stages"][1]["params"]["k"] = 0;
    vigil::test::write_text(dir + "/m2.json", m2.dump(1));
    const Result r2 = vigil_cmd("bench " + dir + "/m2.json -o " + dir + "/out2");
    CHECK(r2.code == 4);
    CHECK(r2.out.find("/pipelines/0 (pipeline 'knn' on dataset 'fmnist')") != std::string::npos);
    CHECK(r2.out.find("/stages/1/params/k: 0 must be >= 1") != std::string::npos);

    // The thread budget is enforced.
    vigil::test::write_text(dir + "/m3.json", tiny_matrix().dump(1));
    const Result b = vigil_cmd("bench " + dir + "/m3.json -o " + dir + "/out3 --jobs 3 --threads 2 --budget 4");
    CHECK(b.code == 2);
    CHECK(b.out.find("exceeds the thread budget 4") != std::string::npos);
    CHECK(vigil_cmd("bench --help").out.find("usage: vigil bench") != std::string::npos);
}
