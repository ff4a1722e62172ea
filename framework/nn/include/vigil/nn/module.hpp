// module.hpp — Module: a layer or network with named parameters, buffers and
// child modules, and the standard layers built on ops.hpp.
//
// Decisions:
// - Parameters and buffers are Tensor handles registered by name; the module
//   keeps the same handle as a member (e.g. `weight`), so registration and
//   use can never disagree. Module::to(Device) moves storages in place
//   (Tensor::move_to_), so the handles stay valid and optimisers built before
//   the move keep working.
// - Names are hierarchical ("0.weight", "block1.conv.weight"), assigned by
//   registration order, which is also the order of parameters(), of the
//   optimiser state and of save(): deterministic by construction.
// - Initialisation takes a Generator explicitly and follows torch.nn's default
//   schemes (kaiming_uniform(a = √5) weights, U(±1/√fan_in) biases), so a seed
//   fixes every weight, independently of backend and thread count.
// - Modules are owned through shared_ptr (children are shared with the
//   parent); a Module is not copyable.
#pragma once

#include <vigil/nn/ops.hpp>
#include <vigil/nn/random.hpp>
#include <vigil/nn/tensor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vigil::nn {

class Module {
public:
    Module() = default;
    virtual ~Module() = default;
    Module(const Module &) = delete;
    Module &operator=(const Module &) = delete;

    // The module's computation on one input. Modules with other signatures
    // (several inputs, an inverse) add their own methods; the default throws.
    virtual Tensor forward(const Tensor &x);
    Tensor operator()(const Tensor &x) { return forward(x); }
    virtual std::string name() const { return "Module"; }

    // Recursive, in registration order, with hierarchical names.
    std::vector<std::pair<std::string, Tensor>> named_parameters() const;
    std::vector<std::pair<std::string, Tensor>> named_buffers() const;
    std::vector<Tensor> parameters() const;
    int64_t parameter_count() const;  // number of scalar parameters
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>> &children() const { return children_; }

    // Training mode (batch norm statistics, dropout), recursive.
    void train(bool on = true);
    void eval() { train(false); }
    bool training() const { return training_; }

    // Moves every parameter and buffer to `device` (in place, handles kept).
    void to(Device device);
    // Converts every floating parameter and buffer to `dtype` (f32 or f64;
    // in place, handles kept), e.g. to run a model in float64 for checks.
    void to(DType dtype);
    void zero_grad();

protected:
    Tensor register_parameter(const std::string &name, Tensor t);  // sets requires_grad
    Tensor register_buffer(const std::string &name, Tensor t);
    template <class M> std::shared_ptr<M> register_module(const std::string &name, std::shared_ptr<M> m) {
        add_child(name, m);
        return m;
    }

private:
    void add_child(const std::string &name, std::shared_ptr<Module> m);
    void check_name(const std::string &name) const;
    void collect(const std::string &prefix, bool buffers, std::vector<std::pair<std::string, Tensor>> &out) const;

    std::vector<std::pair<std::string, Tensor>> params_, buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

using ModulePtr = std::shared_ptr<Module>;

// ---- layers with parameters ----

// y = x Wᵀ + b; weight [out, in], bias [out].
class Linear : public Module {
public:
    Linear(int64_t in, int64_t out, bool bias, Generator &gen);
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return "Linear"; }
    Tensor weight, bias;
};

class Conv2d : public Module {
public:
    Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad, bool bias, Generator &gen);
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return "Conv2d"; }
    Tensor weight, bias;  // weight [out, in, k, k]
    Conv2dOptions options;
};

class ConvTranspose2d : public Module {
public:
    ConvTranspose2d(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad, int64_t output_pad, bool bias,
                    Generator &gen);
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return "ConvTranspose2d"; }
    Tensor weight, bias;  // weight [in, out, k, k]
    Conv2dOptions options;
};

// Batch norm over channels of [N, C] (1d) or [N, C, H, W] (2d); both use the
// same op. affine = false: no gamma/beta (Deep SVDD's networks).
// Buffers: running_mean (0), running_var (1).
class BatchNorm : public Module {
public:
    BatchNorm(int64_t channels, double eps = 1e-5, double momentum = 0.1, bool affine = true);
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return "BatchNorm"; }
    Tensor gamma, beta, running_mean, running_var;
    double eps, momentum;
};
using BatchNorm1d = BatchNorm;
using BatchNorm2d = BatchNorm;

// ---- parameter-free layers ----
class Lambda : public Module {
public:
    Lambda(std::string name, std::function<Tensor(const Tensor &)> f) : name_(std::move(name)), f_(std::move(f)) {}
    Tensor forward(const Tensor &x) override { return f_(x); }
    std::string name() const override { return name_; }

private:
    std::string name_;
    std::function<Tensor(const Tensor &)> f_;
};
ModulePtr make_relu();
ModulePtr make_leaky_relu(double slope = 0.01);
ModulePtr make_sigmoid();
ModulePtr make_tanh();
ModulePtr make_max_pool2d(int64_t kernel, int64_t stride = 0);
ModulePtr make_avg_pool2d(int64_t kernel, int64_t stride = 0);
ModulePtr make_upsample_nearest2d(int64_t scale);
ModulePtr make_flatten(int start_axis = 1);
ModulePtr make_reshape(Shape shape);  // per-sample shape; the batch axis is kept

class Dropout : public Module {
public:
    Dropout(double p, Generator &gen) : p_(p), gen_(&gen) {}
    Tensor forward(const Tensor &x) override { return dropout(x, p_, training(), *gen_); }
    std::string name() const override { return "Dropout"; }

private:
    double p_;
    Generator *gen_;  // must outlive the module
};

// Children run in order; named "0", "1", ...
class Sequential : public Module {
public:
    Sequential() = default;
    explicit Sequential(std::vector<ModulePtr> layers);
    Sequential &add(ModulePtr m);
    Tensor forward(const Tensor &x) override;
    std::string name() const override { return "Sequential"; }
    size_t size() const { return layers_.size(); }
    Module &operator[](size_t i) const { return *layers_.at(i); }

private:
    std::vector<ModulePtr> layers_;
};

} // namespace vigil::nn
