// pipeline_test.cpp — malformed pipeline files give one clear error naming
// the JSON path; a valid one runs fit → score → evaluate; a saved model
// reloads and scores bit-identically; damaged model files are refused.
#include "host_fixture.hpp"

#include <doctest/doctest.h>
#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>
#include <vigil/framework/pipeline.hpp>

#include <fstream>
#include <cstring>
#include <functional>
#include <iterator>

using namespace vigil;
using json = nlohmann::json;

namespace {

// Writes train.npy (normal blob only), test.npy + test_labels.npy (both blobs).
std::string make_data(int d = 4) {
    const std::string dir = test::temp_dir("pipeline");
    std::vector<float> x;
    std::vector<int32_t> y;
    test::two_blobs(200, d, 7, x, y);
    std::vector<float> train;
    for (int i = 0; i < 200; ++i)
        if (y[i] == 0) train.insert(train.end(), x.begin() + i * d, x.begin() + (i + 1) * d);
    test::write_npy(dir + "/train.npy", train, {static_cast<int64_t>(train.size() / d), d});
    test::write_npy(dir + "/test.npy", x, {200, d});
    test::write_npy(dir + "/test_labels.npy", y, {200});
    return dir;
}

json good_pipeline() {
    return json::parse(R"({
      "data": {"train": {"format": "npy", "images": "train.npy"},
               "test": {"format": "npy", "images": "test.npy", "labels": "test_labels.npy"}},
      "stages": [{"detector": "mock_mean", "params": {"scale": 1}}],
      "evaluate": ["roc"], "seed": 3})");
}

std::string parse_error(const json &doc, const std::string &dir) {
    const Registry r = test::registry_with_mocks();
    return test::error_of([&] { parse_pipeline(doc, dir, r, {}, true); });
}

} // namespace

TEST_CASE("a JSON syntax error names file, line and column") {
    const std::string dir = test::temp_dir("syntax");
    test::write_text(dir + "/p.json", "{\n  \"stages\": [\n    {\"detector\": \"knn\",}\n  ]\n}\n");
    const Registry r = test::registry_with_mocks();
    const std::string m = test::error_of([&] { parse_pipeline_file(dir + "/p.json", r, {}, true); });
    CHECK(m.find(dir + "/p.json:3:") == 0);
    CHECK(m.find("invalid JSON") != std::string::npos);
}

TEST_CASE("an unknown key is named with its path and a suggestion") {
    const std::string dir = make_data();
    json doc = good_pipeline();
    doc["evaluat"] = json::array();
    CHECK(parse_error(doc, dir) ==
          "invalid pipeline: /evaluat: unknown key 'evaluat' (did you mean 'evaluate'?); allowed: data, description, "
          "device, evaluate, name, seed, stages, threads");
    doc = good_pipeline();
    doc["stages"][0]["parms"] = json::object();
    CHECK(parse_error(doc, dir).find("/stages/0/parms: unknown key 'parms' (did you mean 'params'?)") != std::string::npos);
}

TEST_CASE("an unknown plugin is named with its path") {
    const std::string dir = make_data();
    json doc = good_pipeline();
    doc["stages"][0]["detector"] = "mock_maen";
    CHECK(parse_error(doc, dir).find("/stages/0/detector: unknown detector 'mock_maen' (did you mean 'mock_mean'?)") !=
          std::string::npos);
    doc = good_pipeline();
    doc["evaluate"] = json::array({"roc", "rocc"});
    CHECK(parse_error(doc, dir).find("/evaluate/1: unknown evaluator 'rocc' (did you mean 'roc'?)") != std::string::npos);
}

TEST_CASE("parameters are checked against the plugin's schema") {
    const std::string dir = make_data();
    json doc = good_pipeline();
    doc["stages"][0]["params"] = {{"scale", -1}, {"k", 3}};
    const std::string m = parse_error(doc, dir);
    CHECK(m.find("2 problems") != std::string::npos);
    CHECK(m.find("/stages/0/params/k: unknown key 'k' (known: scale)") != std::string::npos);
    CHECK(m.find("/stages/0/params/scale: -1 must be > 0") != std::string::npos);
}

TEST_CASE("a missing data file is named before any work starts") {
    const std::string dir = make_data();
    json doc = good_pipeline();
    doc["data"]["test"]["labels"] = "nope.npy";
    const std::string m = parse_error(doc, dir);
    CHECK(m.find("/data/test/labels") != std::string::npos);
    CHECK(m.find("nope.npy") != std::string::npos);
}

TEST_CASE("train and test samples of different shapes are a mismatch") {
    const std::string dir = make_data();
    std::vector<float> other(30 * 3, 1.0f);
    test::write_npy(dir + "/narrow.npy", other, {30, 3});
    json doc = good_pipeline();
    doc["data"]["test"]["images"] = "narrow.npy";
    doc["data"]["test"].erase("labels");
    CHECK(parse_error(doc, dir).find("/data/test: per-sample shape 3 differs from /data/train's 4") != std::string::npos);
}

TEST_CASE("stage order and device are validated") {
    const std::string dir = make_data();
    json doc = good_pipeline();
    doc["stages"] = json::array({{{"detector", "mock_mean"}}, {{"detector", "mock_mean"}}});
    CHECK(parse_error(doc, dir).find("/stages/0: the detector must be the last stage") != std::string::npos);
    doc = good_pipeline();
    doc["device"] = "gpu";
    CHECK(parse_error(doc, dir).find("/device: must be \"auto\", \"cpu\" or \"cuda\", got \"gpu\"") != std::string::npos);
    doc["device"] = "cuda";
    CHECK(parse_error(doc, dir).find("/stages/0/detector: detector 'mock_mean': cuda variant cannot run here") !=
          std::string::npos);
}

TEST_CASE("a pipeline-wide device applies to stages that have that backend; cpu-only stages stay on cpu") {
    const std::string dir = make_data();
    json doc = good_pipeline();
    doc["device"] = "cuda";
    doc["stages"] = json::array({{{"extractor", "standardize"}}, {{"detector", "mock_fast"}}});
    const Registry r = test::registry_with_mocks();
    const PipelineSpec spec = parse_pipeline(doc, dir, r, {}, true);
    CHECK(spec.stages[0].device == DeviceChoice::Auto);  // standardize has no cuda variant
    CHECK(spec.stages[1].device == DeviceChoice::Cuda);
    // A stage's own device stays strict.
    doc["stages"][0]["device"] = "cuda";
    CHECK(parse_error(doc, dir).find("/stages/0/extractor: extractor 'standardize': no cuda variant is installed") !=
          std::string::npos);
}

TEST_CASE("fit, score, evaluate; the saved model scores bit-identically") {
    const std::string dir = make_data();
    const Registry r = test::registry_with_mocks();
    const PipelineSpec spec = parse_pipeline(good_pipeline(), dir, r, {}, true);
    CHECK(spec.settings.seed == 3);
    CHECK(spec.stages[0].params["scale"] == 1);
    FittedPipeline fp = FittedPipeline::fit(spec, r);
    CHECK(fp.n_train == 100);
    const RunResult res = evaluate_pipeline(fp, r);
    REQUIRE(res.scores.size() == 200);
    REQUIRE(res.metrics.size() == 1);
    CHECK(res.metrics[0].evaluator == "roc");
    double auroc = -1;
    for (const auto &[k, v] : res.metrics[0].values)
        if (k == "auroc") auroc = v;
    CHECK(auroc > 0.99);  // blobs 3σ apart in 4-d: distance to the normal mean separates them

    const std::string model = dir + "/model.vgm";
    fp.save(model);
    FittedPipeline loaded = FittedPipeline::load(model, r, {});
    const data::Dataset test = data::load_source(spec.document["data"]["test"], dir, "/data/test");
    const std::vector<float> again = loaded.score(test.x);
    REQUIRE(again.size() == res.scores.size());
    CHECK(std::memcmp(again.data(), res.scores.data(), again.size() * sizeof(float)) == 0);
    CHECK(loaded.spec().settings.seed == 3);
}

TEST_CASE("a damaged or truncated model file is refused with a clear error") {
    const std::string dir = make_data();
    const Registry r = test::registry_with_mocks();
    FittedPipeline fp = FittedPipeline::fit(parse_pipeline(good_pipeline(), dir, r, {}, true), r);
    const std::string model = dir + "/model.vgm";
    fp.save(model);
    std::string bytes;
    {
        std::ifstream in(model, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::string flipped = bytes;
    flipped[bytes.size() / 2] ^= 0x20;
    test::write_text(dir + "/flipped.vgm", flipped);
    CHECK(test::error_of([&] { FittedPipeline::load(dir + "/flipped.vgm", r, {}); }).find("checksum mismatch") != std::string::npos);
    test::write_text(dir + "/short.vgm", bytes.substr(0, bytes.size() - 10));
    CHECK(test::error_of([&] { FittedPipeline::load(dir + "/short.vgm", r, {}); }).find("checksum mismatch") != std::string::npos);
    test::write_text(dir + "/notmodel.vgm", "hello");
    CHECK(test::error_of([&] { FittedPipeline::load(dir + "/notmodel.vgm", r, {}); }).find("not a Vigil model file") !=
          std::string::npos);
    CHECK(test::error_of([&] { FittedPipeline::load(dir + "/absent.vgm", r, {}); }).find("cannot open model file") !=
          std::string::npos);
}
