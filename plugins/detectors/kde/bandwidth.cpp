// bandwidth.cpp — see bandwidth.hpp.
#include "bandwidth.hpp"
#include "log_density.hpp"

#include <cmath>
#include <limits>

namespace vigil_kde {

double scott(int64_t n, int64_t d) { return std::pow(double(n), -1.0 / double(d + 4)); }

double silverman(int64_t n, int64_t d) { return std::pow(double(n) * double(d + 2) / 4.0, -1.0 / double(d + 4)); }

std::vector<double> paper_grid() {
    std::vector<double> g;
    for (int i = 1; i <= 10; ++i) g.push_back(std::pow(2.0, 0.5 * i));
    return g;
}

CvResult cross_validate(vigil::compute::Backend &backend, const vigil::sdk::Host &host, const float *x, int64_t n,
                        int64_t d, const std::vector<double> &grid, int folds) {
    vigil::sdk::require(n >= folds, "bandwidth \"cv\" needs at least as many training samples as folds (" +
                                        std::to_string(folds) + "), got " + std::to_string(n));
    CvResult r;
    r.mean_log_likelihood.assign(grid.size(), 0.0);
    std::vector<float> rest;
    std::vector<double> ll;
    for (int f = 0; f < folds; ++f) {
        // KFold: the first n % folds folds hold one sample more.
        const int64_t base = n / folds, extra = n % folds;
        const int64_t lo = f * base + std::min<int64_t>(f, extra), hi = lo + base + (f < extra ? 1 : 0);
        rest.assign(x, x + lo * d);
        rest.insert(rest.end(), x + hi * d, x + n * d);
        auto res = backend.upload(rest.data(), n - (hi - lo), d);
        ll.assign(grid.size() * static_cast<size_t>(hi - lo), 0.0);
        log_density(backend, host, *res, x + lo * d, hi - lo, grid, ll.data());
        for (size_t b = 0; b < grid.size(); ++b) {
            double s = 0;
            for (int64_t i = 0; i < hi - lo; ++i) s += ll[b * (hi - lo) + i];
            r.mean_log_likelihood[b] += s / folds;
        }
    }
    double best = -std::numeric_limits<double>::infinity();
    for (size_t b = 0; b < grid.size(); ++b)
        if (r.mean_log_likelihood[b] > best || (r.mean_log_likelihood[b] == best && grid[b] < r.bandwidth)) {
            best = r.mean_log_likelihood[b];
            r.bandwidth = grid[b];
        }
    return r;
}

} // namespace vigil_kde
