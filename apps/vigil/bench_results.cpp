// bench_results.cpp — results file I/O, per-unit summaries, CSV and Markdown.
//
// Decisions:
// - Standard deviation over seeds is the sample one (n − 1), as papers report
//   it; with a single seed no "±" is printed rather than a misleading 0.
// - "Best per row" compares the values as printed (4 decimals), so two methods
//   that print the same number are both bold.
// - Tables cover the cells of the current matrix only; the results file may
//   hold more (an earlier, larger run) and keeps them.
#include "bench_results.hpp"

#include <vigil/framework/error.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil::bench {

void write_file_atomic(const std::string &path, const std::string &text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw_input(path + ": cannot write (" + tmp + ")");
        out << text;
        out.flush();
        if (!out) throw_input(path + ": write failed (disk full?)");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw_input(path + ": cannot rename " + tmp + " into place: " + ec.message());
}

Results Results::load(const std::string &path) {
    Results r;
    r.path = path;
    r.doc = {{"format", "vigil-bench-results/1"}, {"cells", json::object()}};
    if (!fs::exists(path)) return r;
    std::ifstream in(path);
    json j;
    try {
        j = json::parse(in);
    } catch (const json::exception &e) {
        throw_input(path + ": not a JSON results file: " + e.what());
    }
    if (!j.is_object() || j.value("format", "") != "vigil-bench-results/1" || !j.contains("cells") || !j["cells"].is_object())
        throw_input(path + ": not a vigil bench results file (expected \"format\": \"vigil-bench-results/1\" and a \"cells\" object)");
    r.doc = std::move(j);
    return r;
}

void Results::save() const { write_file_atomic(path, doc.dump(1) + "\n"); }

const json *Results::cell(const std::string &id) const {
    auto it = doc["cells"].find(id);
    return it == doc["cells"].end() ? nullptr : &*it;
}

void Results::put(const json &record) { doc["cells"][record["id"].get<std::string>()] = record; }

std::optional<double> auroc_of(const json &rec) {
    if (rec.value("status", "") != "ok") return std::nullopt;
    const json *m = rec.contains("metrics") ? &rec["metrics"] : nullptr;
    if (!m || !m->contains("roc") || !(*m)["roc"].contains("auroc") || !(*m)["roc"]["auroc"].is_number()) return std::nullopt;
    return (*m)["roc"]["auroc"].get<double>();
}

double model_seconds(const json &rec) { return rec.value("fit_seconds", 0.0) + rec.value("score_seconds", 0.0); }

Summary summarize(const Matrix &m, const Results &r, const std::string &pipeline, const std::string &dataset,
                  const std::optional<int32_t> &normal) {
    Summary s;
    std::vector<double> a, t;
    for (const auto &c : m.cells) {
        if (c.pipeline != pipeline || c.dataset != dataset || c.normal != normal) continue;
        const json *rec = r.cell(c.id);
        if (!rec || rec->value("pipeline_hash", "") != c.hash) {
            ++s.n_missing;
            continue;
        }
        const auto au = auroc_of(*rec);
        if (!au) {
            ++s.n_failed;
            continue;
        }
        a.push_back(*au);
        t.push_back(model_seconds(*rec));
        s.peak_rss_mib = std::max(s.peak_rss_mib, rec->value("peak_rss_mib", 0.0));
    }
    s.n_ok = static_cast<int>(a.size());
    if (a.empty()) return s;
    for (size_t i = 0; i < a.size(); ++i) {
        s.mean += a[i] / a.size();
        s.seconds += t[i] / t.size();
    }
    if (a.size() > 1) {
        double ss = 0;
        for (double v : a) ss += (v - s.mean) * (v - s.mean);
        s.std = std::sqrt(ss / (a.size() - 1));
    }
    return s;
}

std::string unit_label(const DatasetInfo &d, const std::optional<int32_t> &normal) {
    if (!normal) return d.name;
    std::string s = std::to_string(*normal);
    if (*normal >= 0 && static_cast<size_t>(*normal) < d.class_names.size()) s += " (" + d.class_names[*normal] + ")";
    return s;
}

namespace {

std::string fmt(const char *f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string csv_quote(const std::string &s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// Pipelines of one group, in matrix order, with their column labels.
std::vector<std::pair<std::string, std::string>> columns(const Matrix &m, const std::string &group) {
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> seen;
    for (const auto &p : m.pipelines)
        for (const auto &c : m.cells)
            if (c.pipeline == p && c.group == group && seen.insert(p).second) out.emplace_back(p, c.label);
    return out;
}

std::vector<std::optional<int32_t>> units(const DatasetInfo &d) {
    std::vector<std::optional<int32_t>> u;
    if (d.one_vs_rest) u.assign(d.classes.begin(), d.classes.end());
    else u.push_back(std::nullopt);
    return u;
}

std::string row(const std::string &head, const std::vector<std::string> &cells) {
    std::string s = "| " + head;
    for (const auto &c : cells) s += " | " + c;
    return s + " |\n";
}

// Bold the best value(s) of a row; `higher`: larger is better.
std::vector<std::string> bold_best(const std::vector<std::optional<double>> &v, const char *f, bool higher) {
    std::optional<std::string> best;
    double bv = 0;
    for (const auto &x : v)
        if (x) {
            const double r = std::stod(fmt(f, *x));
            if (!best || (higher ? r > bv : r < bv)) {
                bv = r;
                best = fmt(f, *x);
            }
        }
    std::vector<std::string> out;
    for (const auto &x : v) out.push_back(!x ? "—" : (best && fmt(f, *x) == *best) ? "**" + fmt(f, *x) + "**" : fmt(f, *x));
    return out;
}

} // namespace

std::vector<std::string> metric_columns(const Matrix &m, const Results &r) {
    std::vector<std::string> cols;
    std::set<std::string> seen;
    for (const auto &c : m.cells)
        if (const json *rec = r.cell(c.id); rec && rec->contains("metrics"))
            for (const auto &[ev, ms] : (*rec)["metrics"].items())
                for (const auto &[k, v] : ms.items()) {
                    (void)v;
                    if (seen.insert(ev + "." + k).second) cols.push_back(ev + "." + k);
                }
    return cols;
}

void write_csv(const std::string &path, const Matrix &m, const Results &r) {
    const std::vector<std::string> metric_cols = metric_columns(m, r);
    std::ostringstream o;
    o << "id,pipeline,label,group,dataset,normal,seed,kind,status";
    for (const auto &mc : metric_cols) o << "," << mc;
    o << ",fit_seconds,score_seconds,load_seconds,wall_seconds,peak_rss_mib,backend,plugins,pipeline_hash,error\n";
    for (const auto &c : m.cells) {
        const json *rec = r.cell(c.id);
        const bool current = rec && rec->value("pipeline_hash", "") == c.hash;
        o << csv_quote(c.id) << "," << csv_quote(c.pipeline) << "," << csv_quote(c.label) << "," << csv_quote(c.group) << ","
          << csv_quote(c.dataset) << "," << (c.normal ? std::to_string(*c.normal) : "") << "," << c.seed << ","
          << (c.peer ? "peer" : "vigil") << "," << (current ? rec->value("status", "") : "not run");
        for (const auto &mc : metric_cols) {
            o << ",";
            const auto dot = mc.find('.');
            if (current && rec->contains("metrics")) {
                const json &ms = (*rec)["metrics"];
                const std::string ev = mc.substr(0, dot), k = mc.substr(dot + 1);
                if (ms.contains(ev) && ms[ev].contains(k) && ms[ev][k].is_number()) o << fmt("%.9g", ms[ev][k].get<double>());
            }
        }
        std::string plugins;
        if (current && rec->contains("plugins"))
            for (const auto &p : (*rec)["plugins"])
                plugins += (plugins.empty() ? "" : " ") + p.value("name", "") + "@" + p.value("version", "") + "/" + p.value("backend", "");
        for (const char *k : {"fit_seconds", "score_seconds", "load_seconds", "wall_seconds", "peak_rss_mib"})
            o << "," << (current && rec->contains(k) && (*rec)[k].is_number() ? fmt("%.6g", (*rec)[k].get<double>()) : "");
        o << "," << (current ? csv_quote(rec->value("backend", "")) : "") << "," << csv_quote(plugins) << "," << c.hash << ","
          << (current ? csv_quote(rec->value("error", "")) : "") << "\n";
    }
    write_file_atomic(path, o.str());
}

std::string markdown(const Matrix &m, const Results &r) {
    std::ostringstream o;
    o << "# " << m.name << "\n\n";
    if (!m.description.empty()) o << m.description << "\n\n";
    for (const auto &d : m.datasets)
        for (const auto &g : m.groups) {
            const auto cols = columns(m, g);
            if (cols.empty()) continue;
            o << "## " << d.name << (g.empty() ? "" : " · " + g)
              << ": AUROC, mean ± std over seeds (best per row in bold)\n\n";
            std::vector<std::string> heads;
            for (const auto &c : cols) heads.push_back(c.second);
            o << row(d.one_vs_rest ? "normal class" : "dataset", heads);
            o << "|---";
            for (size_t i = 0; i < cols.size(); ++i) o << "|---";
            o << "|\n";
            std::map<std::string, std::vector<double>> per_col_means, per_col_secs, per_col_rss;
            for (const auto &u : units(d)) {
                std::vector<std::optional<double>> vals;
                std::vector<Summary> ss;
                for (const auto &c : cols) {
                    const Summary s = summarize(m, r, c.first, d.name, u);
                    ss.push_back(s);
                    vals.push_back(s.n_ok ? std::optional<double>(s.mean) : std::nullopt);
                    if (s.n_ok) {
                        per_col_means[c.first].push_back(s.mean);
                        per_col_secs[c.first].push_back(s.seconds);
                        per_col_rss[c.first].push_back(s.peak_rss_mib);
                    }
                }
                std::vector<std::string> cells = bold_best(vals, "%.4f", true);
                for (size_t i = 0; i < cells.size(); ++i) {
                    if (ss[i].n_ok > 1) cells[i] += " ± " + fmt("%.4f", ss[i].std);
                    if (ss[i].n_failed) cells[i] += " (" + std::to_string(ss[i].n_failed) + " failed)";
                    else if (ss[i].n_ok && ss[i].n_missing) cells[i] += " (" + std::to_string(ss[i].n_missing) + " not run)";
                }
                o << row(unit_label(d, u), cells);
            }
            const size_t n_units = units(d).size();
            auto agg = [&](std::map<std::string, std::vector<double>> &src, bool max) {
                std::vector<std::optional<double>> v;
                for (const auto &c : cols) {
                    const auto &xs = src[c.first];
                    if (xs.size() != n_units) {  // a mean over fewer units would not compare
                        v.push_back(std::nullopt);
                        continue;
                    }
                    double a = 0;
                    for (double x : xs) a = max ? std::max(a, x) : a + x / xs.size();
                    v.push_back(a);
                }
                return v;
            };
            if (n_units > 1) o << row("**mean**", bold_best(agg(per_col_means, false), "%.4f", true));
            o << row("fit + score s (mean)", bold_best(agg(per_col_secs, false), "%.2f", false));
            o << row("peak RSS MiB (max)", bold_best(agg(per_col_rss, true), "%.0f", false));
            o << "\n";
        }
    int ok = 0, failed = 0, missing = 0;
    for (const auto &c : m.cells) {
        const json *rec = r.cell(c.id);
        if (!rec || rec->value("pipeline_hash", "") != c.hash) ++missing;
        else if (rec->value("status", "") == "ok") ++ok;
        else ++failed;
    }
    o << "Cells: " << ok << " ok, " << failed << " failed, " << missing << " not run (of " << m.cells.size()
      << "). Times are fit + score seconds measured inside each program (data loading excluded); peak RSS is the "
         "cell process's maximum resident set size. A bold time or memory is the smallest in its row.\n";
    return o.str();
}

} // namespace vigil::bench
