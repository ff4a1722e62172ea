// reference_cases.hpp — the scikit-learn reference values of
// tests/reference/metrics_reference.json (written by gen_metrics.py), loaded
// for the metric and evaluator tests of this folder.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigil::test {

struct ReferenceCase {
    std::string name;
    std::vector<float> scores; // float32 values, stored exactly as doubles
    std::vector<int32_t> labels;
    nlohmann::json expected; // the whole case object
};

inline std::vector<ReferenceCase> reference_cases() {
    const std::string path = VIGIL_SOURCE_DIR "/tests/reference/metrics_reference.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    const nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<ReferenceCase> out;
    for (const auto &c : doc.at("cases")) {
        ReferenceCase r;
        r.name = c.at("name").get<std::string>();
        for (const auto &s : c.at("scores")) r.scores.push_back(static_cast<float>(s.get<double>()));
        for (const auto &l : c.at("labels")) r.labels.push_back(l.get<int32_t>());
        r.expected = c;
        out.push_back(std::move(r));
    }
    return out;
}

// Tolerance for comparisons with sklearn: the metrics are exact rationals,
// both sides only differ by a few roundings.
constexpr double kRefTol = 1e-9;

} // namespace vigil::test
