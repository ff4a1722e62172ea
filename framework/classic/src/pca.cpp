// pca.cpp — fit_pca (pca.hpp): blocked covariance on the backend, eigendecomposition in double.
#include <vigil/classic/pca.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <string>

namespace vigil::classic {

using sdk::require;

Pca fit_pca(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d) {
    require(n >= 2, "PCA needs at least 2 training samples, got " + std::to_string(n));
    require(d >= 1, "training samples have no features");
    Pca p;
    p.d = d;
    std::vector<double> mean(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) mean[j] += x[i * d + j];
    for (double &m : mean) m /= double(n);
    p.mean.assign(mean.begin(), mean.end());

    // C = Σ_b X_bᵀ X_b: upload the centred block transposed (d x nb) once as the
    // resident R and as the left operand, then R·Rᵀ = X_bᵀX_b (d x d).
    const int64_t B = 4096;
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
    std::vector<float> xt, block(static_cast<size_t>(d * d));
    for (int64_t b0 = 0; b0 < n; b0 += B) {
        host.check_cancelled();
        const int64_t nb = std::min(B, n - b0);
        xt.assign(static_cast<size_t>(d * nb), 0.0f);
        for (int64_t i = 0; i < nb; ++i)
            for (int64_t j = 0; j < d; ++j)
                xt[static_cast<size_t>(j * nb + i)] = static_cast<float>(x[(b0 + i) * d + j] - mean[j]);
        auto r = backend.upload(xt.data(), d, nb);
        backend.matmul_abt(xt.data(), d, *r, block.data());
        for (int64_t i = 0; i < d; ++i)
            for (int64_t j = 0; j < d; ++j) cov(i, j) += block[static_cast<size_t>(i * d + j)];
        host.progress(static_cast<uint64_t>(b0 + nb), static_cast<uint64_t>(n), "pca");
    }
    cov = (cov + cov.transpose()) * (0.5 / double(n - 1));  // symmetric up to GEMM rounding

    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(cov);
    require(es.info() == Eigen::Success, "PCA: the covariance eigendecomposition did not converge", VIGIL_ERR_INTERNAL);
    // Eigen returns ascending eigenvalues; we store descending.
    p.variances.resize(static_cast<size_t>(d));
    p.axes.resize(static_cast<size_t>(d * d));
    for (int64_t i = 0; i < d; ++i) {
        const int64_t src = d - 1 - i;
        p.variances[i] = std::max(0.0, es.eigenvalues()(src));
        Eigen::VectorXd v = es.eigenvectors().col(src);
        Eigen::Index big = 0;
        v.cwiseAbs().maxCoeff(&big);
        if (v(big) < 0) v = -v;
        for (int64_t j = 0; j < d; ++j) p.axes[static_cast<size_t>(i * d + j)] = static_cast<float>(v(j));
    }
    return p;
}

int64_t components_for_variance(const Pca &p, double fraction) {
    double total = 0;
    for (double v : p.variances) total += v;
    if (!(total > 0)) return 0;
    double cum = 0;
    int64_t k = 0;
    for (; k < p.d; ++k) {
        cum += p.variances[k];
        if (cum / total > fraction) break;  // cumsum[k] > fraction: searchsorted(side=right) = k
    }
    return std::min<int64_t>(k + 1, p.d);
}

std::vector<float> leading_axes(const Pca &p, int64_t k) {
    return std::vector<float>(p.axes.begin(), p.axes.begin() + k * p.d);
}

} // namespace vigil::classic
