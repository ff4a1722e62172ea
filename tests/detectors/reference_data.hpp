// reference_data.hpp — tests/reference/classic_reference.json (written by
// tests/reference/gen_classic.py with scikit-learn) as test matrices and vectors.
#pragma once

#include "detector_support.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace vigil::test {

inline const nlohmann::json &classic_reference() {
    static const nlohmann::json j = [] {
        std::ifstream f(std::string(VIGIL_SOURCE_DIR) + "/tests/reference/classic_reference.json");
        if (!f) throw std::runtime_error("missing tests/reference/classic_reference.json");
        return nlohmann::json::parse(f);
    }();
    return j;
}

inline Matrix reference_matrix(const char *key) {
    const auto &rows = classic_reference().at(key);
    Matrix m(static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.at(0).size()));
    for (int64_t i = 0; i < m.n; ++i)
        for (int64_t j = 0; j < m.d; ++j) m.at(i, j) = rows.at(i).at(j).get<float>();
    return m;
}

inline std::vector<double> reference_vector(const char *key) { return classic_reference().at(key).get<std::vector<double>>(); }

} // namespace vigil::test
