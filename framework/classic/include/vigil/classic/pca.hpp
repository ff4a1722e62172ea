// pca.hpp — principal axes of a training set: the shared fit behind the `pca`
// detector (reconstruction error) and the `pca` and `zca` extractors.
//
// Why this file exists: three plugins need the same mean, covariance
// eigendecomposition and component-count rule; it is written once here.
//
// Method: C = (1/(n−1)) Σ_i (x_i − μ)(x_i − μ)ᵀ, accumulated as Σ_b X_bᵀX_b over
// blocks of 2048 centred rows in double (Eigen; memory stays at one block
// whatever n is — why not the backend's float GEMM: see pca.cpp); then
// C = U Λ Uᵀ by Eigen's SelfAdjointEigenSolver in double. Both variants of a
// plugin fit on the CPU; their backends run the transforms and scores. The 1/(n−1)
// normalisation is scikit-learn's PCA (explained_variance_).
// Axis signs are arbitrary in PCA; we make each axis' entry of largest
// magnitude positive so fits are reproducible and compare across backends.
#pragma once

#include <vigil/compute/backend.hpp>

#include <cstdint>
#include <vector>

namespace vigil::classic {

struct Pca {
    int64_t d = 0;                  // input features
    std::vector<float> mean;        // d
    std::vector<double> variances;  // d eigenvalues of C, descending, negatives (rounding) clamped to 0
    std::vector<float> axes;        // d x d row-major: row i = unit axis of variances[i]
};

// Fit on n rows of d features (row-major float32, finite). Needs n >= 2, d >= 1
// (throws vigil::sdk::Error INVALID_ARGUMENT otherwise). Checks the host's
// cancellation between blocks and reports progress (label "pca").
Pca fit_pca(const sdk::Host &host, const float *x, int64_t n, int64_t d);

// Smallest k whose leading variances explain more than `fraction` of the total
// (scikit-learn 1.2's rule for PCA(n_components=fraction): searchsorted(cumsum
// ratio, fraction, side="right") + 1), capped at d. With zero total variance
// (all samples identical) it returns 0: nothing varies, no axis is kept.
int64_t components_for_variance(const Pca &p, double fraction);

// The leading k axes as a k x d row-major matrix.
std::vector<float> leading_axes(const Pca &p, int64_t k);

// Flips the signs of the k axes (k x d, row-major) the way scikit-learn 1.2's
// PCA does (svd_flip with u_based_decision: the training sample whose
// projection on an axis is largest in magnitude projects positively).
// Distances do not care about signs, but coordinate-wise methods on PCA
// features do (copod's left- and right-tail sums swap for a flipped axis), so
// matching scikit-learn's convention makes results comparable with it.
void orient_like_sklearn(std::vector<float> &axes, int64_t k, const std::vector<float> &mean, const float *x,
                         int64_t n, int64_t d);

} // namespace vigil::classic
