// flow.cpp — AllInOneBlock (flow.hpp).
#include "autograd.hpp"

#include <vigil/nn/flow.hpp>

#include <cmath>

namespace vigil::nn {

SubnetFactory mlp_subnet(int64_t hidden) {
    return [hidden](int64_t in, int64_t out, Generator &gen) -> ModulePtr {
        return std::make_shared<Sequential>(std::vector<ModulePtr>{std::make_shared<Linear>(in, hidden, true, gen), make_relu(),
                                                                   std::make_shared<Linear>(hidden, out, true, gen)});
    };
}

AllInOneBlock::AllInOneBlock(int64_t dims, const SubnetFactory &make_subnet, Generator &gen, double clamp,
                             double global_affine_init)
    : dims_(dims), n1_(dims - dims / 2), n2_(dims / 2), clamp_(clamp) {
    if (dims < 2) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "AllInOneBlock needs at least 2 features");
    if (!(clamp > 0) || !(global_affine_init > 0))
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "AllInOneBlock: clamp and global_affine_init must be positive");
    subnet = register_module("subnet", make_subnet(n1_, 2 * n2_, gen));
    // softplus_{β=0.5}(γ) = 2 log(1 + e^{γ/2}); 0.1 · that = init  ⇔  γ = 2 log(e^{5 init} − 1).
    const double g0 = 2.0 * std::log(std::expm1(5.0 * global_affine_init));
    global_scale = register_parameter("global_scale", Tensor::full({1, dims}, g0));
    global_offset = register_parameter("global_offset", Tensor::zeros({1, dims}));
    const std::vector<int64_t> perm = gen.permutation(dims);
    std::vector<float> p(static_cast<size_t>(dims * dims), 0.0f), pt(p.size(), 0.0f);
    for (int64_t i = 0; i < dims; ++i) {
        p[static_cast<size_t>(i * dims + perm[static_cast<size_t>(i)])] = 1.0f;   // y_i = u_perm[i]
        pt[static_cast<size_t>(perm[static_cast<size_t>(i)] * dims + i)] = 1.0f;
    }
    w_perm = register_buffer("w_perm", Tensor::from_vector(p, {dims, dims}));
    w_perm_inv = register_buffer("w_perm_inv", Tensor::from_vector(pt, {dims, dims}));
}

Tensor AllInOneBlock::scale() const { return softplus(global_scale, 0.5, 20.0) * 0.1; }

std::pair<Tensor, Tensor> AllInOneBlock::coupling(const Tensor &x1, int64_t n2) {
    const Tensor a = (*subnet)(x1) * 0.1;
    if (a.rank() != 2 || a.size(1) != 2 * n2)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "AllInOneBlock: the subnet must map [N, " + std::to_string(n1_) + "] to [N, " +
                                                  std::to_string(2 * n2) + "], got " + a.describe());
    return {tanh(slice(a, 1, 0, n2)) * clamp_, slice(a, 1, n2, 2 * n2)};
}

std::pair<Tensor, Tensor> AllInOneBlock::forward_with_logdet(const Tensor &x) {
    if (x.rank() != 2 || x.size(1) != dims_)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "AllInOneBlock: input must be [N, " + std::to_string(dims_) + "], got " + x.describe());
    const auto parts = split(x, {n1_, n2_}, 1);
    const auto [s, t] = coupling(parts[0], n2_);
    const Tensor u = concat({parts[0], parts[1] * exp(s) + t}, 1);
    const Tensor g = scale();
    const Tensor y = linear(u * g + global_offset, w_perm);
    const Tensor logdet = sum(s, {1}) + sum(log(g));
    return {y, logdet};
}

std::pair<Tensor, Tensor> AllInOneBlock::inverse_with_logdet(const Tensor &y) {
    if (y.rank() != 2 || y.size(1) != dims_)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "AllInOneBlock: input must be [N, " + std::to_string(dims_) + "], got " + y.describe());
    const Tensor g = scale();
    const Tensor u = (linear(y, w_perm_inv) - global_offset) / g;
    const auto parts = split(u, {n1_, n2_}, 1);
    const auto [s, t] = coupling(parts[0], n2_);
    const Tensor x = concat({parts[0], (parts[1] - t) * exp(-s)}, 1);
    const Tensor logdet = -(sum(s, {1}) + sum(log(g)));
    return {x, logdet};
}

} // namespace vigil::nn
