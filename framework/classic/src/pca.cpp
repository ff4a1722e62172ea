// pca.cpp — fit_pca (pca.hpp): blocked covariance and eigendecomposition, both in double.
#include <vigil/classic/pca.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <string>

namespace vigil::classic {

using sdk::require;

Pca fit_pca(const sdk::Host &host, const float *x, int64_t n, int64_t d) {
    require(n >= 2, "PCA needs at least 2 training samples, got " + std::to_string(n));
    require(d >= 1, "training samples have no features");
    Pca p;
    p.d = d;
    std::vector<double> mean(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) mean[j] += x[i * d + j];
    for (double &m : mean) m /= double(n);
    p.mean.assign(mean.begin(), mean.end());

    // C = Σ_b X_bᵀ X_b over blocks of centred rows, in double (Eigen's GEMM,
    // threads from the host), not the backend's float GEMM: float sums over
    // thousands of rows keep ~1e-6 relative error, enough to turn the axes of
    // nearly equal eigenvalues; the fit is a one-off (~0.1 s for 6,000 x 784,
    // ~20 s for 50,000 x 3,072 on 2 cores).
    const int64_t B = 2048;
    Eigen::setNbThreads(static_cast<int>(host.threads()));
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xb;
    for (int64_t b0 = 0; b0 < n; b0 += B) {
        host.check_cancelled();
        const int64_t nb = std::min(B, n - b0);
        xb.resize(nb, d);
        for (int64_t i = 0; i < nb; ++i)
            for (int64_t j = 0; j < d; ++j) xb(i, j) = double(x[(b0 + i) * d + j]) - mean[j];
        cov.noalias() += xb.transpose() * xb;
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

void orient_like_sklearn(std::vector<float> &axes, int64_t k, const std::vector<float> &mean, const float *x,
                         int64_t n, int64_t d) {
    using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const MatF> a(axes.data(), k, d);
    std::vector<float> best(static_cast<size_t>(k), -1.0f), sign(static_cast<size_t>(k), 1.0f);
    const int64_t B = 2048;
    MatF xb, proj;
    for (int64_t b0 = 0; b0 < n; b0 += B) {
        const int64_t nb = std::min(B, n - b0);
        xb.resize(nb, d);
        for (int64_t i = 0; i < nb; ++i)
            for (int64_t j = 0; j < d; ++j) xb(i, j) = x[(b0 + i) * d + j] - mean[j];
        proj.noalias() = xb * a.transpose();
        for (int64_t i = 0; i < nb; ++i)
            for (int64_t c = 0; c < k; ++c)
                if (std::abs(proj(i, c)) > best[c]) {  // first sample wins ties, as np.argmax
                    best[c] = std::abs(proj(i, c));
                    sign[c] = proj(i, c) < 0 ? -1.0f : 1.0f;
                }
    }
    for (int64_t c = 0; c < k; ++c)
        if (sign[c] < 0)
            for (int64_t j = 0; j < d; ++j) axes[c * d + j] = -axes[c * d + j];
}

} // namespace vigil::classic
