// bench_gate.cpp — per-cell comparison of two results files (see bench_gate.hpp).
//
// Decisions: a cell whose pipeline hash differs from the baseline's is still
// compared (a changed default or data path should not silence the gate) but
// is noted, so a reviewer sees that the baseline may need refreshing.
#include "bench_gate.hpp"

#include "bench_results.hpp"

#include <cstdio>
#include <set>

using json = nlohmann::json;

namespace vigil::bench {

namespace {

std::string fmt(const char *f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}

} // namespace

GateReport gate(const json &baseline, const json &current, const std::optional<std::vector<std::string>> &ids, const GateOptions &o) {
    GateReport g;
    const json &base = baseline["cells"], &cur = current["cells"];
    std::set<std::string> want;
    if (ids) want.insert(ids->begin(), ids->end());
    for (const auto &[id, b] : base.items()) {
        if (ids && !want.count(id)) continue;
        const auto ba = auroc_of(b);
        if (!ba) continue;  // nothing to hold a failed or AUROC-less baseline cell to
        ++g.compared;
        auto it = cur.find(id);
        if (it == cur.end()) {
            g.regressions.push_back(id + ": missing from the results (baseline AUROC " + fmt("%.4f", *ba) + ")");
            continue;
        }
        const json &c = *it;
        if (c.value("status", "") != "ok") {
            g.regressions.push_back(id + ": failed (" + c.value("failure", std::string("?")) + "); baseline AUROC " + fmt("%.4f", *ba));
            continue;
        }
        if (c.value("pipeline_hash", "") != b.value("pipeline_hash", ""))
            g.notes.push_back(id + ": pipeline changed since the baseline (hash " + b.value("pipeline_hash", "") + " → " +
                              c.value("pipeline_hash", "") + "); compared anyway");
        const auto ca = auroc_of(c);
        if (!ca) {
            g.regressions.push_back(id + ": no AUROC in the results");
            continue;
        }
        const double drop = (*ba - *ca) * 100.0;
        std::string why;
        if (drop > o.tolerance_points + 1e-9)
            why = fmt("AUROC %.4f → %.4f (−%.2f points > %.2f allowed)", *ba, *ca, drop, o.tolerance_points);
        const double bt = model_seconds(b), ct = model_seconds(c);
        if (o.time_factor > 0 && ct > o.time_factor * bt && ct - bt > o.time_floor)
            why += (why.empty() ? "" : "; ") +
                   fmt("fit + score %.2f s → %.2f s (×%.2f > ×%.2f allowed", bt, ct, bt > 0 ? ct / bt : 0.0, o.time_factor) +
                   fmt(", and +%.2f s > %.2f s floor)", ct - bt, o.time_floor);
        if (!why.empty()) g.regressions.push_back(id + ": " + why);
    }
    for (const auto &[id, c] : cur.items()) {
        (void)c;
        if ((!ids || want.count(id)) && !base.contains(id)) g.notes.push_back(id + ": new (not in the baseline)");
    }
    return g;
}

} // namespace vigil::bench
