// module.cpp — Module bookkeeping and the standard layers.
#include "autograd.hpp"

#include <vigil/nn/module.hpp>

#include <cmath>

namespace vigil::nn {

Tensor Module::forward(const Tensor &) {
    sdk::fail(VIGIL_ERR_UNSUPPORTED, name() + " has no single-input forward");
}

void Module::check_name(const std::string &n) const {
    if (n.empty() || n.find('.') != std::string::npos)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "module entry name '" + n + "' must be non-empty and contain no '.'");
    for (const auto &p : params_)
        if (p.first == n) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "duplicate name '" + n + "' in " + name());
    for (const auto &p : buffers_)
        if (p.first == n) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "duplicate name '" + n + "' in " + name());
    for (const auto &p : children_)
        if (p.first == n) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "duplicate name '" + n + "' in " + name());
}

Tensor Module::register_parameter(const std::string &n, Tensor t) {
    check_name(n);
    if (!t.defined() || t.dtype() == DType::i32 || !t.is_leaf())
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "parameter '" + n + "' must be a floating leaf tensor");
    t.requires_grad_(true);
    params_.emplace_back(n, t);
    return t;
}
Tensor Module::register_buffer(const std::string &n, Tensor t) {
    check_name(n);
    if (!t.defined()) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "buffer '" + n + "' is undefined");
    buffers_.emplace_back(n, t);
    return t;
}
void Module::add_child(const std::string &n, std::shared_ptr<Module> m) {
    check_name(n);
    if (!m) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "child module '" + n + "' is null");
    children_.emplace_back(n, std::move(m));
}

void Module::collect(const std::string &prefix, bool buffers, std::vector<std::pair<std::string, Tensor>> &out) const {
    for (const auto &p : buffers ? buffers_ : params_) out.emplace_back(prefix + p.first, p.second);
    for (const auto &c : children_) c.second->collect(prefix + c.first + ".", buffers, out);
}
std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
    std::vector<std::pair<std::string, Tensor>> out;
    collect("", false, out);
    return out;
}
std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
    std::vector<std::pair<std::string, Tensor>> out;
    collect("", true, out);
    return out;
}
std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto &p : named_parameters()) out.push_back(p.second);
    return out;
}
int64_t Module::parameter_count() const {
    int64_t n = 0;
    for (auto &p : named_parameters()) n += p.second.numel();
    return n;
}
void Module::train(bool on) {
    training_ = on;
    for (auto &c : children_) c.second->train(on);
}
void Module::to(Device d) {
    for (auto &p : named_parameters()) p.second.move_to_(d);
    for (auto &p : named_buffers()) p.second.move_to_(d);
}
void Module::to(DType dt) {
    if (dt == DType::i32) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Module::to: parameters must stay floating");
    for (auto &p : named_parameters()) p.second.convert_(dt);
    for (auto &p : named_buffers())
        if (p.second.dtype() != DType::i32) p.second.convert_(dt);
}
void Module::zero_grad() {
    for (auto &p : named_parameters()) p.second.zero_grad();
}

// ---- layers ----
namespace {
// torch.nn defaults: weights kaiming_uniform(a = √5), biases U(±1/√fan_in).
void default_init(Tensor &w, Tensor *b, Generator &gen) {
    kaiming_uniform_(w, std::sqrt(5.0), gen);
    if (b && b->defined()) {
        const double bound = 1.0 / std::sqrt(double(fan_in(w.shape())));
        uniform_(*b, -bound, bound, gen);
    }
}
void check_positive(const char *what, std::initializer_list<int64_t> v) {
    for (int64_t x : v)
        if (x < 1) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, std::string(what) + ": sizes must be positive");
}
} // namespace

Linear::Linear(int64_t in, int64_t out, bool has_bias, Generator &gen) {
    check_positive("Linear", {in, out});
    weight = Tensor::empty({out, in});
    if (has_bias) bias = Tensor::empty({out});
    default_init(weight, &bias, gen);
    register_parameter("weight", weight);
    if (has_bias) register_parameter("bias", bias);
}
Tensor Linear::forward(const Tensor &x) { return linear(x, weight, bias); }

Conv2d::Conv2d(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, bool has_bias, Generator &gen)
    : options(Conv2dOptions::make(stride, pad)) {
    check_positive("Conv2d", {in, out, k, stride});
    weight = Tensor::empty({out, in, k, k});
    if (has_bias) bias = Tensor::empty({out});
    default_init(weight, &bias, gen);
    register_parameter("weight", weight);
    if (has_bias) register_parameter("bias", bias);
}
Tensor Conv2d::forward(const Tensor &x) { return conv2d(x, weight, bias, options); }

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, int64_t output_pad,
                                 bool has_bias, Generator &gen)
    : options(Conv2dOptions::make(stride, pad, output_pad)) {
    check_positive("ConvTranspose2d", {in, out, k, stride});
    weight = Tensor::empty({in, out, k, k});
    if (has_bias) bias = Tensor::empty({out});
    default_init(weight, &bias, gen);  // fan_in = out·k·k, as torch computes it for this layout
    register_parameter("weight", weight);
    if (has_bias) register_parameter("bias", bias);
}
Tensor ConvTranspose2d::forward(const Tensor &x) { return conv_transpose2d(x, weight, bias, options); }

BatchNorm::BatchNorm(int64_t channels, double eps_, double momentum_, bool affine) : eps(eps_), momentum(momentum_) {
    check_positive("BatchNorm", {channels});
    if (affine) {
        gamma = register_parameter("weight", Tensor::ones({channels}));
        beta = register_parameter("bias", Tensor::zeros({channels}));
    }
    running_mean = register_buffer("running_mean", Tensor::zeros({channels}));
    running_var = register_buffer("running_var", Tensor::ones({channels}));
}
Tensor BatchNorm::forward(const Tensor &x) {
    return batch_norm(x, running_mean, running_var, gamma, beta, training(), momentum, eps);
}

ModulePtr make_relu() { return std::make_shared<Lambda>("ReLU", [](const Tensor &x) { return relu(x); }); }
ModulePtr make_leaky_relu(double s) {
    return std::make_shared<Lambda>("LeakyReLU", [s](const Tensor &x) { return leaky_relu(x, s); });
}
ModulePtr make_sigmoid() { return std::make_shared<Lambda>("Sigmoid", [](const Tensor &x) { return sigmoid(x); }); }
ModulePtr make_tanh() { return std::make_shared<Lambda>("Tanh", [](const Tensor &x) { return tanh(x); }); }
ModulePtr make_max_pool2d(int64_t k, int64_t s) {
    const Pool2dOptions o = Pool2dOptions::make(k, s);
    return std::make_shared<Lambda>("MaxPool2d", [o](const Tensor &x) { return max_pool2d(x, o); });
}
ModulePtr make_avg_pool2d(int64_t k, int64_t s) {
    const Pool2dOptions o = Pool2dOptions::make(k, s);
    return std::make_shared<Lambda>("AvgPool2d", [o](const Tensor &x) { return avg_pool2d(x, o); });
}
ModulePtr make_upsample_nearest2d(int64_t scale) {
    return std::make_shared<Lambda>("Upsample", [scale](const Tensor &x) { return upsample_nearest2d(x, scale); });
}
ModulePtr make_flatten(int start) {
    return std::make_shared<Lambda>("Flatten", [start](const Tensor &x) { return flatten(x, start); });
}
ModulePtr make_reshape(Shape shape) {
    return std::make_shared<Lambda>("Reshape", [shape](const Tensor &x) {
        Shape s{x.size(0)};
        s.insert(s.end(), shape.begin(), shape.end());
        return reshape(x, s);
    });
}

Sequential::Sequential(std::vector<ModulePtr> layers) {
    for (auto &l : layers) add(std::move(l));
}
Sequential &Sequential::add(ModulePtr m) {
    register_module(std::to_string(layers_.size()), m);
    layers_.push_back(std::move(m));
    return *this;
}
Tensor Sequential::forward(const Tensor &x) {
    Tensor h = x;
    for (auto &l : layers_) h = l->forward(h);
    return h;
}

} // namespace vigil::nn
