// kernel_expansion.hpp — evaluating a fitted kernel expansion Σ_i c_i K(sv_i, x)
// on new samples, in blocks, through the compute backend.
//
// Why this file exists: scoring ocsvm and svdd models is the same work — the
// support vectors are uploaded once as a Resident, each block of test rows
// costs one (m x D) · (n_sv x D)ᵀ GEMM on the backend (oneDNN or cuBLAS), and
// the kernel and the weighted sum follow on the host in double. Scratch is
// bounded (at most 2^22 dot products per block) whatever the batch size.
// Deterministic: for the same model and the same batch, every row is summed
// in the same order whatever the thread count.
#pragma once

#include <vigil/classic/svm_model.hpp>

#include <memory>

namespace vigil::classic {

class KernelExpansion {
public:
    // Copies what it needs from the model; uploads the (centred) support vectors.
    KernelExpansion(compute::Backend &backend, const sdk::Host &host, const SvmModel &m);
    // For each of the m rows of x (m x d, finite): sum[r] = Σ_i coef_i K(sv_i, x_r)
    // and, when self is not NULL, self[r] = K(x_r, x_r). Throws
    // INVALID_ARGUMENT when a kernel value overflows, CANCELLED between blocks.
    void evaluate(const float *x, int64_t m, double *sum, double *self);

private:
    compute::Backend &backend_;
    sdk::Host host_;
    KernelSpec k_;
    int64_t d_, nsv_;
    std::vector<float> centre_;
    std::vector<double> coef_, sv_norms_;
    std::unique_ptr<compute::Resident> resident_;
    std::unique_ptr<float[]> xc_, dots_;  // scratch: block x d centred rows, block x n_sv dot products
    std::vector<double> xn_;
    int64_t scratch_rows_ = 0;
};

} // namespace vigil::classic
