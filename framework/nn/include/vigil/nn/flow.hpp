// flow.hpp — invertible building blocks (normalising flows).
//
// AllInOneBlock follows FrEIA's all-in-one coupling block (REFERENCE-SETTINGS.md,
// "Invertible networks") on feature vectors [N, D]:
//   split x into x1 (the first D − ⌊D/2⌋ features) and x2 (the rest);
//   a = 0.1 · subnet(x1), s = c · tanh(a[:, :|x2|]), t = a[:, |x2|:] (c = clamp = 2);
//   u = concat(x1, x2 ∘ exp(s) + t);
//   y = P (u ∘ g + b), g = 0.1 · softplus_{β=0.5}(γ) (global affine scaling, γ
//   initialised so that g = global_affine_init), b the global offset, P a fixed
//   random permutation drawn from the Generator (kept as a buffer, so saved
//   with the model);
//   log|det ∂y/∂x| = Σ s + Σ log g, per sample.
// inverse() undoes it exactly (up to float rounding): u = (Pᵀ y − b) / g,
// x2 = (u2 − t) ∘ exp(−s) with s, t from x1 = u1.
// The permutation is applied as a product with the 0/1 matrix P (as FrEIA
// does), which is exact in floating point.
#pragma once

#include <vigil/nn/module.hpp>

#include <functional>
#include <utility>

namespace vigil::nn {

// Builds the coupling subnetwork: in features → out features.
using SubnetFactory = std::function<ModulePtr(int64_t in, int64_t out, Generator &gen)>;
// in → hidden → ReLU → out (IOCN's subnetworks: one hidden layer of 128).
SubnetFactory mlp_subnet(int64_t hidden);

class AllInOneBlock : public Module {
public:
    AllInOneBlock(int64_t dims, const SubnetFactory &subnet, Generator &gen, double clamp = 2.0,
                  double global_affine_init = 1.0);
    // y and log|det J| per sample ([N]).
    std::pair<Tensor, Tensor> forward_with_logdet(const Tensor &x);
    // x and log|det ∂x/∂y| = −log|det J| per sample.
    std::pair<Tensor, Tensor> inverse_with_logdet(const Tensor &y);
    Tensor forward(const Tensor &x) override { return forward_with_logdet(x).first; }
    Tensor inverse(const Tensor &y) { return inverse_with_logdet(y).first; }
    std::string name() const override { return "AllInOneBlock"; }

    ModulePtr subnet;
    Tensor global_scale, global_offset;  // parameters [1, D]
    Tensor w_perm, w_perm_inv;           // buffers [D, D]: P and Pᵀ

private:
    std::pair<Tensor, Tensor> coupling(const Tensor &x1, int64_t n2);  // s, t
    Tensor scale() const;
    int64_t dims_, n1_, n2_;
    double clamp_;
};

} // namespace vigil::nn
