// bench_gate.hpp — the regression gate: compare a results file with a stored
// baseline, cell by cell, and say which cells got worse.
//
// Why this file exists: CI keeps a baseline results file and fails a change
// that makes a plugin less accurate or much slower. Accuracy is compared in
// AUROC points (0.5 = half a point = 0.005 AUROC); time by a growth factor
// with an absolute floor so that cells taking a fraction of a second do not
// flap with machine noise.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vigil::bench {

struct GateOptions {
    double tolerance_points = 0.5;  // allowed AUROC drop, in points (1 point = 0.01 AUROC)
    double time_factor = 2.0;       // allowed growth of fit + score seconds; 0 = do not gate time
    double time_floor = 1.0;        // ... and only when it also grew by more than this many seconds
};

struct GateReport {
    int compared = 0;
    std::vector<std::string> regressions;  // one line per regressed cell
    std::vector<std::string> notes;        // changed pipelines, cells new since the baseline
};

// Compares every finished baseline cell (restricted to `ids` when given) with
// the same cell of `current`. A cell missing from `current` or failed there
// counts as regressed.
GateReport gate(const nlohmann::json &baseline, const nlohmann::json &current, const std::optional<std::vector<std::string>> &ids,
                const GateOptions &opts);

} // namespace vigil::bench
