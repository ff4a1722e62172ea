// bench_plots.cpp — ROC and histogram SVGs for the bench report.
//
// Decisions: curves are thinned (at most ~250 points each) so a report with
// hundreds of cells stays a few MB; the thinning keeps the first and last
// points and never moves a point, so the drawn curve is the true one sampled.
#include "bench_plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace vigil::bench {

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

} // namespace

std::string esc(const std::string &s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

std::string palette(size_t i) {
    static const char *p[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                              "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#1F3A93", "#A50026"};
    return p[i % (sizeof p / sizeof *p)];
}

std::vector<std::pair<double, double>> roc_points(const std::vector<float> &scores, const std::vector<int32_t> &labels,
                                                  size_t max_points) {
    std::vector<size_t> idx(scores.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    double pos = 0, neg = 0;
    for (auto l : labels) (l ? pos : neg) += 1;
    std::vector<std::pair<double, double>> pts{{0, 0}};
    if (pos == 0 || neg == 0) return pts;
    double tp = 0, fp = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
        (labels[idx[i]] ? tp : fp) += 1;
        if (i + 1 == idx.size() || scores[idx[i + 1]] != scores[idx[i]]) pts.emplace_back(fp / neg, tp / pos);
    }
    if (pts.size() <= max_points) return pts;
    std::vector<std::pair<double, double>> thin;
    const double step = static_cast<double>(pts.size() - 1) / (max_points - 1);
    for (size_t k = 0; k < max_points; ++k) thin.push_back(pts[std::min(pts.size() - 1, static_cast<size_t>(std::lround(k * step)))]);
    return thin;
}

std::string roc_svg(const std::vector<Curve> &curves, const std::string &title, int size) {
    const double pad = 34, w = size, plot = size - pad - 8;
    const int legend_h = 14 * static_cast<int>(curves.size());
    std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(size) + "' height='" +
                    std::to_string(size + legend_h + 4) + "' role='img'><title>" + esc(title) + "</title>";
    const double x0 = pad, y0 = 8;
    auto X = [&](double f) { return num(x0 + f * plot); };
    auto Y = [&](double t) { return num(y0 + (1 - t) * plot); };
    s += "<rect x='" + num(x0) + "' y='" + num(y0) + "' width='" + num(plot) + "' height='" + num(plot) +
         "' fill='#fff' stroke='#999'/>";
    for (double t : {0.25, 0.5, 0.75})
        s += "<line x1='" + X(t) + "' y1='" + Y(0) + "' x2='" + X(t) + "' y2='" + Y(1) + "' stroke='#eee'/><line x1='" + X(0) +
             "' y1='" + Y(t) + "' x2='" + X(1) + "' y2='" + Y(t) + "' stroke='#eee'/>";
    s += "<line x1='" + X(0) + "' y1='" + Y(0) + "' x2='" + X(1) + "' y2='" + Y(1) + "' stroke='#bbb' stroke-dasharray='3 3'/>";
    for (double t : {0.0, 0.5, 1.0}) {
        s += "<text x='" + X(t) + "' y='" + num(y0 + plot + 12) + "' font-size='10' text-anchor='middle'>" + num(t) + "</text>";
        s += "<text x='" + num(x0 - 4) + "' y='" + num(y0 + (1 - t) * plot + 3) + "' font-size='10' text-anchor='end'>" + num(t) + "</text>";
    }
    s += "<text x='" + num(x0 + plot / 2) + "' y='" + num(y0 + plot + 24) + "' font-size='10' text-anchor='middle'>false positive rate</text>";
    s += "<text transform='translate(9 " + num(y0 + plot / 2) + ") rotate(-90)' font-size='10' text-anchor='middle'>true positive rate</text>";
    for (const auto &c : curves) {
        std::string d;
        for (const auto &[f, t] : c.points) d += (d.empty() ? "M" : "L") + X(f) + " " + Y(t);
        s += "<path d='" + d + "' fill='none' stroke='" + c.color + "' stroke-width='1.4'" +
             (c.dashed ? " stroke-dasharray='5 3'" : "") + "/>";
    }
    for (size_t i = 0; i < curves.size(); ++i) {
        const double ly = size + 2 + 14 * static_cast<double>(i);
        s += "<line x1='" + num(x0) + "' y1='" + num(ly + 6) + "' x2='" + num(x0 + 18) + "' y2='" + num(ly + 6) + "' stroke='" +
             curves[i].color + "' stroke-width='2'" + (curves[i].dashed ? " stroke-dasharray='5 3'" : "") + "/>";
        s += "<text x='" + num(x0 + 24) + "' y='" + num(ly + 10) + "' font-size='11'>" + esc(curves[i].name) + "</text>";
    }
    (void)w;
    return s + "</svg>";
}

std::string histogram_svg(const std::vector<float> &scores, const std::vector<int32_t> &labels, const std::string &caption, int width,
                          int height, int bins) {
    std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(width) + "' height='" +
                    std::to_string(height + 14) + "' role='img'><title>" + esc(caption) + "</title>";
    if (scores.empty()) return s + "</svg>";
    std::vector<float> sorted = scores;
    std::sort(sorted.begin(), sorted.end());
    const auto q = [&](double p) { return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1)))]; };
    double lo = q(0.005), hi = q(0.995);
    if (!(hi > lo)) hi = lo + 1;
    std::vector<double> h0(bins, 0), h1(bins, 0);
    double n0 = 0, n1 = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
        int b = static_cast<int>((scores[i] - lo) / (hi - lo) * bins);
        b = std::clamp(b, 0, bins - 1);
        (labels[i] ? h1 : h0)[b] += 1;
        (labels[i] ? n1 : n0) += 1;
    }
    double top = 0;
    for (int b = 0; b < bins; ++b) {
        if (n0) h0[b] /= n0;
        if (n1) h1[b] /= n1;
        top = std::max({top, h0[b], h1[b]});
    }
    if (top <= 0) top = 1;
    const double bw = static_cast<double>(width) / bins;
    auto path = [&](const std::vector<double> &h) {
        std::string d = "M0 " + num(height);
        for (int b = 0; b < bins; ++b) {
            const double y = height - h[b] / top * (height - 2);
            d += "L" + num(b * bw) + " " + num(y) + "L" + num((b + 1) * bw) + " " + num(y);
        }
        return d + "L" + num(width) + " " + num(height) + "Z";
    };
    s += "<rect width='" + std::to_string(width) + "' height='" + std::to_string(height) + "' fill='#fff' stroke='#ccc'/>";
    s += "<path d='" + path(h0) + "' fill='#0072B2' fill-opacity='0.45' stroke='#0072B2'/>";
    s += "<path d='" + path(h1) + "' fill='#D55E00' fill-opacity='0.35' stroke='#D55E00'/>";
    s += "<text x='2' y='" + std::to_string(height + 11) + "' font-size='10'>" + esc(caption) + "</text>";
    return s + "</svg>";
}

} // namespace vigil::bench
