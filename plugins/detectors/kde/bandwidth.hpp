// bandwidth.hpp — choosing the Gaussian KDE bandwidth h: given, by a rule of
// thumb, or by k-fold cross-validated log-likelihood over a grid.
#pragma once

#include <vigil/compute/backend.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace vigil_kde {

// scikit-learn 1.2's KernelDensity rules (they assume unit-variance features
// and return the factor itself as the bandwidth; we do the same so results
// compare — standardise features first if they are not on a unit scale):
//   scott      h = N^(−1/(D+4))
//   silverman  h = (N (D+2) / 4)^(−1/(D+4))
double scott(int64_t n, int64_t d);
double silverman(int64_t n, int64_t d);

// papers/oc-nn-chalapathy-2019.txt §4: "We select the bandwidth h of the
// Gaussian kernel from h ∈ 2^0.5, 2^1, ..., 2^5 via 5-fold cross-validation
// using the log-likelihood score" — read as exponents 0.5, 1.0, ..., 5.0
// (step 0.5, ten values; the paper lists only the ends).
std::vector<double> paper_grid();

struct CvResult {
    double bandwidth = 0;
    std::vector<double> mean_log_likelihood;  // per grid value: mean over folds of the held-out total
};

// k-fold cross-validation: folds are contiguous blocks of the training rows in
// their given order (scikit-learn's KFold without shuffling, the default of
// GridSearchCV); for each fold the others are the KDE and the fold's summed
// log-density is its score; the grid value with the largest mean wins (ties:
// the smaller h). Needs N >= folds.
CvResult cross_validate(vigil::compute::Backend &backend, const vigil::sdk::Host &host, const float *x, int64_t n,
                        int64_t d, const std::vector<double> &grid, int folds);

} // namespace vigil_kde
