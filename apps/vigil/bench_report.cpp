// bench_report.cpp — the one-file HTML report of `vigil bench`.
//
// Decisions:
// - Everything is inline (CSS, SVG figures, PNG thumbnails as data: URIs);
//   the page loads no script, font or image from anywhere, so it opens offline
//   and can be attached to a CI run as one artefact.
// - Figures are drawn from the per-sample scores each cell left in scores/;
//   the numbers in the tables come from results.json (the evaluators), never
//   recomputed here.
// - ROC curves and histograms use each cell's first seed (one curve per
//   method); the tables carry the mean ± std over seeds.
// - A Vigil pipeline and its peer share a colour; the peer is dashed.
#include "bench_report.hpp"

#include "bench_plots.hpp"
#include "bench_thumbs.hpp"
#include "cli_common.hpp"

#include <vigil/framework/data.hpp>
#include <vigil/framework/error.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace vigil::bench {

namespace {

const char *kCss = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1500px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#555}nav a{margin-right:14px}
table{border-collapse:collapse;margin:6px 0 14px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#f4f6f8;font-weight:600}td:first-child,th:first-child{text-align:left}
td.best{font-weight:700;background:#eaf4ea}td.fail{color:#b00020}tr.sum td{background:#fafafa}
.grid{display:flex;flex-wrap:wrap;gap:10px}.fig{border:1px solid #e3e3e3;padding:4px;background:#fff}
.hist td{padding:2px;text-align:left}.legend span{display:inline-block;margin-right:14px}
.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px;opacity:.6}
.thumbs{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:10px}.thumbs figure{margin:0;text-align:center;font-size:11px;color:#444}
.thumbs img{width:64px;height:64px;image-rendering:pixelated;border:2px solid #ccc;display:block}
.thumbs img.anom{border-color:#D55E00}.thumbs img.norm{border-color:#0072B2}
.cells{font-size:12px}.cells td.err{white-space:pre-wrap;text-align:left;max-width:420px;color:#b00020}
.small{font-size:12px;color:#555}.scroll{overflow-x:auto}
)";

std::string fmt(const char *f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

struct Scores {
    std::vector<float> s;
    std::vector<int32_t> l;
    bool ok = false;
};

Scores load_scores(const std::string &out_dir, const json *rec) {
    Scores sc;
    if (!rec || rec->value("status", "") != "ok" || !rec->contains("scores")) return sc;
    try {
        cli::read_scores_csv((fs::path(out_dir) / (*rec)["scores"].get<std::string>()).string(), sc.s, sc.l);
        sc.ok = sc.s.size() == sc.l.size() && !sc.s.empty();
    } catch (const Error &) {
        sc.ok = false;  // the report notes the missing figure; the numbers stay in the tables
    }
    return sc;
}

std::string base_label(const std::string &label) {
    const std::string suf = " peer";
    return label.size() > suf.size() && label.compare(label.size() - suf.size(), suf.size(), suf) == 0 ? label.substr(0, label.size() - suf.size())
                                                                                                      : label;
}

std::vector<std::optional<int32_t>> units_of(const DatasetInfo &d) {
    std::vector<std::optional<int32_t>> u;
    if (d.one_vs_rest) u.assign(d.classes.begin(), d.classes.end());
    else u.push_back(std::nullopt);
    return u;
}

// (pipeline, label, peer) of one group, in matrix order.
struct Col {
    std::string pipeline, label;
    bool peer;
};
std::vector<Col> group_cols(const Matrix &m, const std::string &g) {
    std::vector<Col> out;
    std::set<std::string> seen;
    for (const auto &p : m.pipelines)
        for (const auto &c : m.cells)
            if (c.pipeline == p && c.group == g && seen.insert(p).second) out.push_back({p, c.label, c.peer});
    return out;
}

// The first-seed cell of a (pipeline, dataset, unit).
const Cell *first_cell(const Matrix &m, const std::string &p, const std::string &d, const std::optional<int32_t> &u) {
    for (const auto &c : m.cells)
        if (c.pipeline == p && c.dataset == d && c.normal == u) return &c;
    return nullptr;
}

std::string table_html(const Matrix &m, const Results &r, const DatasetInfo &d, const std::vector<Col> &cols) {
    std::ostringstream o;
    o << "<table><tr><th>" << (d.one_vs_rest ? "normal class" : "dataset") << "</th>";
    for (const auto &c : cols) o << "<th>" << esc(c.label) << "</th>";
    o << "</tr>";
    std::map<std::string, std::vector<double>> means;
    for (const auto &u : units_of(d)) {
        std::vector<Summary> ss;
        std::string best;
        for (const auto &c : cols) {
            ss.push_back(summarize(m, r, c.pipeline, d.name, u));
            if (ss.back().n_ok) {
                means[c.pipeline].push_back(ss.back().mean);
                const std::string v = fmt("%.4f", ss.back().mean);
                if (best.empty() || std::stod(v) > std::stod(best)) best = v;
            }
        }
        o << "<tr><td>" << esc(unit_label(d, u)) << "</td>";
        for (const auto &s : ss) {
            if (!s.n_ok) {
                o << "<td class='fail'>" << (s.n_failed ? "failed" : "—") << "</td>";
                continue;
            }
            const std::string v = fmt("%.4f", s.mean);
            o << "<td" << (v == best ? " class='best'" : "") << ">" << v << (s.n_ok > 1 ? " ± " + fmt("%.4f", s.std) : "") << "</td>";
        }
        o << "</tr>";
    }
    const size_t n = units_of(d).size();
    if (n > 1) {
        std::string best;
        for (const auto &c : cols)
            if (means[c.pipeline].size() == n) {
                const std::string v = fmt("%.4f", std::accumulate(means[c.pipeline].begin(), means[c.pipeline].end(), 0.0) / n);
                if (best.empty() || std::stod(v) > std::stod(best)) best = v;
            }
        o << "<tr class='sum'><td>mean</td>";
        for (const auto &c : cols) {
            if (means[c.pipeline].size() != n) {
                o << "<td>—</td>";
                continue;
            }
            const std::string v = fmt("%.4f", std::accumulate(means[c.pipeline].begin(), means[c.pipeline].end(), 0.0) / n);
            o << "<td" << (v == best ? " class='best'" : "") << ">" << v << "</td>";
        }
        o << "</tr>";
    }
    // Time and memory rows: mean fit + score seconds, max peak RSS over the row's cells.
    o << "<tr class='sum'><td>fit + score s (mean)</td>";
    for (const auto &c : cols) {
        double t = 0, k = 0;
        for (const auto &u : units_of(d)) {
            const Summary s = summarize(m, r, c.pipeline, d.name, u);
            if (s.n_ok) t += s.seconds, k += 1;
        }
        o << "<td>" << (k ? fmt("%.2f", t / k) : "—") << "</td>";
    }
    o << "</tr><tr class='sum'><td>peak RSS MiB (max)</td>";
    for (const auto &c : cols) {
        double mx = 0;
        for (const auto &u : units_of(d)) mx = std::max(mx, summarize(m, r, c.pipeline, d.name, u).peak_rss_mib);
        o << "<td>" << (mx > 0 ? fmt("%.0f", mx) : "—") << "</td>";
    }
    o << "</tr></table>";
    return o.str();
}

std::string thumbs_html(const Matrix &m, const Results &r, const std::string &out_dir, const std::string &focus) {
    const Cell *fc = nullptr;
    for (const auto &c : m.cells) {
        const json *rec = r.cell(c.id);
        const bool ok = rec && rec->value("status", "") == "ok";
        if (!focus.empty() ? c.id == focus : (ok && !c.peer)) {
            fc = &c;
            break;
        }
    }
    if (!fc) return focus.empty() ? "<p>No finished Vigil cell to show.</p>" : "<p>--focus " + esc(focus) + ": no such cell in this run.</p>";
    const Scores sc = load_scores(out_dir, r.cell(fc->id));
    if (!sc.ok) return "<p>Cell " + esc(fc->id) + " has no scores (not finished).</p>";
    data::Dataset test;
    try {
        test = data::load_source(runnable_pipeline(m, *fc)["data"]["test"], m.base_dir, "/data/test");
    } catch (const Error &e) {
        return "<p>Test images of " + esc(fc->id) + " could not be read: " + esc(e.what()) + "</p>";
    }
    if (test.x.samples() != static_cast<int64_t>(sc.s.size()))
        return "<p>Test set of " + esc(fc->id) + " has " + std::to_string(test.x.samples()) + " samples but " +
               std::to_string(sc.s.size()) + " scores: not shown.</p>";
    std::vector<size_t> idx(sc.s.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return sc.s[a] < sc.s[b]; });
    const size_t k = std::min<size_t>(16, idx.size() / 2);
    std::ostringstream o;
    o << "<p>Cell <b>" << esc(fc->id) << "</b> (" << esc(fc->label) << " on " << esc(fc->dataset)
      << (fc->normal ? ", normal class " + esc(unit_label(m.dataset(fc->dataset), fc->normal)) : std::string()) << ", seed " << fc->seed
      << "). Border: <span style='color:#0072B2'>blue = truly normal</span>, <span style='color:#D55E00'>orange = truly "
         "anomalous</span>; caption: score and index in the test set.</p>";
    auto row = [&](const char *title, auto begin, auto end) {
        o << "<h3>" << title << "</h3><div class='thumbs'>";
        for (auto it = begin; it != end; ++it) {
            const size_t i = *it;
            const std::string uri = thumbnail_uri(test.x, static_cast<int64_t>(i));
            if (uri.empty()) {
                o << "<p>(samples are not images: no thumbnails)</p>";
                break;
            }
            o << "<figure><img class='" << (sc.l[i] ? "anom" : "norm") << "' src='" << uri << "' alt='test sample " << i << "'><figcaption>"
              << fmt("%.4g", sc.s[i]) << "<br>#" << i << "</figcaption></figure>";
        }
        o << "</div>";
    };
    row("Most normal (lowest scores)", idx.begin(), idx.begin() + static_cast<long>(k));
    row("Most anomalous (highest scores)", idx.rbegin(), idx.rbegin() + static_cast<long>(k));
    return o.str();
}

std::string cells_html(const Matrix &m, const Results &r) {
    const std::vector<std::string> mcols = metric_columns(m, r);
    std::ostringstream o;
    o << "<div class='scroll'><table class='cells'><tr><th>cell</th><th>status</th>";
    for (const auto &c : mcols) o << "<th>" << esc(c) << "</th>";
    o << "<th>fit s</th><th>score s</th><th>wall s</th><th>peak RSS MiB</th><th>backend</th><th>plugins / peer</th><th>hash</th><th>error</th></tr>";
    for (const auto &c : m.cells) {
        const json *rec = r.cell(c.id);
        const bool cur = rec && rec->value("pipeline_hash", "") == c.hash;
        o << "<tr><td>" << esc(c.id) << "</td><td" << (cur && rec->value("status", "") == "ok" ? "" : " class='fail'") << ">"
          << (cur ? esc(rec->value("status", "")) : "not run") << "</td>";
        for (const auto &mc : mcols) {
            const auto dot = mc.find('.');
            const std::string ev = mc.substr(0, dot), k = mc.substr(dot + 1);
            o << "<td>";
            if (cur && rec->contains("metrics") && (*rec)["metrics"].contains(ev) && (*rec)["metrics"][ev].contains(k) &&
                (*rec)["metrics"][ev][k].is_number())
            {
                const double v = (*rec)["metrics"][ev][k].get<double>();
                o << (v == std::floor(v) && std::fabs(v) < 1e15 ? fmt("%.0f", v) : fmt("%.4f", v));  // counts as counts
            }
            o << "</td>";
        }
        auto n = [&](const char *k, const char *f) {
            return cur && rec->contains(k) && (*rec)[k].is_number() ? fmt(f, (*rec)[k].get<double>()) : std::string();
        };
        std::string plugins;
        if (cur && rec->contains("peer")) plugins = rec->value("peer", "") + "; ";
        if (cur && rec->contains("plugins"))
            for (const auto &p : (*rec)["plugins"]) plugins += p.value("name", "") + " " + p.value("version", "") + " (" + p.value("backend", "") + ") ";
        o << "<td>" << n("fit_seconds", "%.3f") << "</td><td>" << n("score_seconds", "%.3f") << "</td><td>" << n("wall_seconds", "%.2f")
          << "</td><td>" << n("peak_rss_mib", "%.0f") << "</td><td>" << (cur ? esc(rec->value("backend", "")) : "") << "</td><td>"
          << esc(plugins) << "</td><td><code>" << c.hash << "</code></td><td class='err'>"
          << (cur && rec->value("status", "") != "ok" ? esc(rec->value("failure", "") + "\n" + rec->value("error", "")) : "") << "</td></tr>";
    }
    o << "</table></div>";
    return o.str();
}

} // namespace

void write_html_report(const std::string &path, const Matrix &m, const Results &r, const std::string &out_dir, const std::string &focus) {
    std::ostringstream o;
    int ok = 0, failed = 0, missing = 0;
    for (const auto &c : m.cells) {
        const json *rec = r.cell(c.id);
        if (!rec || rec->value("pipeline_hash", "") != c.hash) ++missing;
        else if (rec->value("status", "") == "ok") ++ok;
        else ++failed;
    }
    char when[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    o << "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>vigil bench: " << esc(m.name) << "</title><style>" << kCss
      << "</style></head><body>";
    o << "<h1>vigil bench: " << esc(m.name) << "</h1><p class='meta'>" << esc(m.description) << "</p>";
    o << "<p class='meta'>Matrix <code>" << esc(m.path) << "</code> · " << m.cells.size() << " cells: " << ok << " ok, " << failed
      << " failed, " << missing << " not run · report written " << when << " by vigil " << VIGIL_VERSION
      << " · AUROC from the <code>roc</code> evaluator; times are fit + score seconds inside each cell's process (data loading "
         "excluded); peak RSS of the cell's process.</p>";
    o << "<nav><a href='#tables'>Tables</a><a href='#roc'>ROC curves</a><a href='#hist'>Score histograms</a><a href='#thumbs'>"
         "Most normal / anomalous images</a><a href='#cells'>All cells</a></nav>";

    o << "<h2 id='tables'>AUROC per class (mean ± std over seeds; best per row in bold)</h2>";
    for (const auto &d : m.datasets)
        for (const auto &g : m.groups) {
            const auto cols = group_cols(m, g);
            if (cols.empty()) continue;
            o << "<h3>" << esc(d.name) << (g.empty() ? "" : " · " + esc(g)) << "</h3>" << table_html(m, r, d, cols);
        }

    // Colour per base label, across the whole report.
    std::map<std::string, std::string> colour;
    for (const auto &c : m.cells)
        if (!colour.count(base_label(c.label))) colour[base_label(c.label)] = palette(colour.size());

    o << "<h2 id='roc'>ROC curves (first seed of each cell; dashed = peer)</h2>";
    for (const auto &d : m.datasets)
        for (const auto &g : m.groups) {
            const auto cols = group_cols(m, g);
            if (cols.empty()) continue;
            o << "<h3>" << esc(d.name) << (g.empty() ? "" : " · " + esc(g)) << "</h3><div class='grid'>";
            for (const auto &u : units_of(d)) {
                std::vector<Curve> curves;
                for (const auto &col : cols) {
                    const Cell *c = first_cell(m, col.pipeline, d.name, u);
                    if (!c) continue;
                    const json *rec = r.cell(c->id);
                    const Scores sc = load_scores(out_dir, rec);
                    if (!sc.ok) continue;
                    const auto au = auroc_of(*rec);
                    curves.push_back({col.label + (au ? " " + fmt("%.4f", *au) : ""), colour[base_label(col.label)], col.peer,
                                      roc_points(sc.s, sc.l)});
                }
                o << "<div class='fig'><div class='small'>" << esc(d.one_vs_rest ? "normal class " + unit_label(d, u) : unit_label(d, u))
                  << "</div>" << roc_svg(curves, "ROC " + unit_label(d, u)) << "</div>";
            }
            o << "</div>";
        }

    o << "<h2 id='hist'>Score histograms per cell (first seed)</h2><p class='legend'><span><i class='sw' "
         "style='background:#0072B2'></i>normal test samples</span><span><i class='sw' style='background:#D55E00'></i>anomalous "
         "test samples</span> each normalised to unit area; x: score from the 0.5 % to the 99.5 % quantile.</p>";
    for (const auto &d : m.datasets)
        for (const auto &g : m.groups) {
            const auto cols = group_cols(m, g);
            if (cols.empty()) continue;
            o << "<h3>" << esc(d.name) << (g.empty() ? "" : " · " + esc(g)) << "</h3><table class='hist'><tr><th></th>";
            for (const auto &c : cols) o << "<th>" << esc(c.label) << "</th>";
            o << "</tr>";
            for (const auto &u : units_of(d)) {
                o << "<tr><td>" << esc(unit_label(d, u)) << "</td>";
                for (const auto &col : cols) {
                    const Cell *c = first_cell(m, col.pipeline, d.name, u);
                    const json *rec = c ? r.cell(c->id) : nullptr;
                    const Scores sc = load_scores(out_dir, rec);
                    o << "<td>";
                    if (sc.ok) {
                        const auto au = auroc_of(*rec);
                        o << histogram_svg(sc.s, sc.l, "AUROC " + (au ? fmt("%.4f", *au) : std::string("?")), 136, 64);
                    } else {
                        o << "—";
                    }
                    o << "</td>";
                }
                o << "</tr>";
            }
            o << "</table>";
        }

    o << "<h2 id='thumbs'>Most normal and most anomalous test images</h2>" << thumbs_html(m, r, out_dir, focus);
    o << "<h2 id='cells'>All cells</h2><p class='small'>Every metric of the cell's evaluators (peers: Vigil's evaluators on the "
         "peer's scores), times, memory, backend, plugin versions and the pipeline hash. Per-cell pipelines: "
         "<code>pipelines/</code>; scores: <code>scores/</code>; logs: <code>logs/</code>.</p>"
      << cells_html(m, r);
    o << "</body></html>\n";
    write_file_atomic(path, o.str());
}

} // namespace vigil::bench
