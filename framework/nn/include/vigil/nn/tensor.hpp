// tensor.hpp — vigil::nn::Tensor: an n-dimensional array on a device, with
// the bookkeeping reverse-mode autograd needs.
//
// Decisions (and why):
// - A Tensor is a cheap handle (shared_ptr) to an implementation holding the
//   shape, dtype, one Storage (a single allocation on one device), and the
//   autograd fields. Copying a Tensor copies the handle, never the data; that
//   is what lets a Module keep `Tensor weight` as a member and register the
//   same handle as a named parameter.
// - Tensors are always dense and row-major ("contiguous"): no strides, no
//   offsets. Every kernel can then assume one layout, which keeps the
//   per-backend kernel set small (backend.hpp). reshape/flatten/detach share
//   storage; slicing, concatenation and transposition copy.
// - dtypes: float32 everywhere; float64 on cpu only (finite-difference
//   gradient checks; oneDNN has no f64, so cpu f64 runs the plain reference
//   loops); int32 for labels and index maps (created and transferred only,
//   no arithmetic).
// - Devices: cpu and cuda. Data moves only through explicit, differentiable
//   transfers (`to(Device)`); mixing devices in one op is an error. Which
//   device a plugin computes on follows the library variant it was linked
//   with (nn.hpp: variant_device()).
// - Autograd: each differentiable op run while grad mode is on, with at least
//   one input that requires grad, records a Node (autograd.hpp) holding its
//   inputs and a backward closure; the output points to that node
//   (`grad_fn`). Nodes carry a global creation sequence number: the graph is
//   a tape, and reverse creation order is a valid reverse topological order.
//   backward() runs the reachable nodes in that order, accumulates gradients
//   of leaves that require grad into `grad()`, and releases the graph.
// - No in-place operation is ever recorded. The only in-place mutations are
//   the explicitly named ones below (copy_, fill_, move_to_, the optimisers'
//   updates), meant for leaves outside graphs (initialisation, loading,
//   optimiser steps after backward).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigil::nn {

enum class DType : uint8_t { f32 = 0, f64 = 1, i32 = 2 };
enum class Device : uint8_t { cpu = 0, cuda = 1 };

size_t dtype_size(DType t);
const char *dtype_name(DType t);
const char *device_name(Device d);

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape &s);
int64_t shape_numel(const Shape &s);

// One allocation on one device (through that device's backend allocator).
class Storage {
public:
    Storage(size_t bytes, Device device);
    ~Storage();
    Storage(const Storage &) = delete;
    Storage &operator=(const Storage &) = delete;
    void *data() const { return p_; }
    size_t bytes() const { return bytes_; }
    Device device() const { return device_; }

private:
    void *p_ = nullptr;
    size_t bytes_ = 0;
    Device device_;
};

namespace detail {
struct TensorImpl;
struct Node;
} // namespace detail

class Tensor {
public:
    Tensor() = default;  // undefined: defined() is false

    // ---- creation (uninitialised, constant, or copied from host memory) ----
    static Tensor empty(const Shape &shape, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor zeros(const Shape &shape, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor ones(const Shape &shape, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor full(const Shape &shape, double value, DType dtype = DType::f32, Device device = Device::cpu);
    static Tensor scalar(double value, DType dtype = DType::f32, Device device = Device::cpu);  // shape {}
    static Tensor from_data(const float *p, const Shape &shape, Device device = Device::cpu);
    static Tensor from_data(const double *p, const Shape &shape, Device device = Device::cpu);
    static Tensor from_data(const int32_t *p, const Shape &shape, Device device = Device::cpu);
    template <class T>
    static Tensor from_vector(const std::vector<T> &v, const Shape &shape, Device device = Device::cpu);

    // ---- properties ----
    bool defined() const { return impl_ != nullptr; }
    const Shape &shape() const;
    int rank() const { return static_cast<int>(shape().size()); }
    int64_t size(int axis) const;  // negative axes count from the end
    int64_t numel() const;
    DType dtype() const;
    Device device() const;
    std::string describe() const;  // "f32[200, 1, 28, 28] on cpu"

    // Raw pointer to the first element, in the tensor's device memory.
    void *raw() const;
    // Typed pointer; throws unless T matches dtype().
    template <class T> T *data() const;

    // Copy to host memory, converted to T (float, double or int32_t).
    template <class T> std::vector<T> to_vector() const;
    double item() const;  // the value of a one-element tensor

    // ---- differentiable conversions ----
    Tensor to(Device device) const;  // copy to another device (same device: returns *this)
    Tensor to(DType dtype) const;    // cast (same dtype: returns *this)
    Tensor clone() const;            // a copy with its own storage
    Tensor detach() const;           // same storage, no history, requires_grad false
    Tensor reshape(const Shape &shape) const;  // one dimension may be -1; shares storage
    Tensor flatten(int start_axis = 1) const;   // keeps axes < start_axis, merges the rest

    // ---- autograd ----
    bool requires_grad() const;
    // Marks a leaf as requiring a gradient. Throws for a non-leaf.
    Tensor &requires_grad_(bool on = true);
    bool is_leaf() const;       // created by the user, not by a recorded op
    Tensor grad() const;        // accumulated gradient of a leaf (undefined until backward)
    void set_grad(const Tensor &g);
    void zero_grad();           // drops the gradient (undefined again)
    // Reverse-mode sweep from this tensor. Without a seed the tensor must hold
    // one element and the seed is 1. Releases the graph unless retain_graph.
    void backward(const Tensor &seed = Tensor(), bool retain_graph = false) const;
    const char *grad_fn_name() const;  // name of the op that produced it, or nullptr

    // ---- explicit in-place mutation (never recorded) ----
    void copy_(const Tensor &src);  // same numel; converts dtype and device
    void fill_(double value);
    void move_to_(Device device);   // moves the storage, keeping this handle (Module::to)
    void convert_(DType dtype);     // converts the storage, keeping this handle (Module::to)

    bool same(const Tensor &o) const { return impl_ == o.impl_; }
    bool shares_storage(const Tensor &o) const;
    detail::TensorImpl *impl() const { return impl_.get(); }
    const std::shared_ptr<detail::TensorImpl> &impl_ptr() const { return impl_; }
    explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

private:
    std::shared_ptr<detail::TensorImpl> impl_;
};

// ---- grad mode ----
bool grad_enabled();
// Turns recording off in its scope (evaluation, optimiser steps, running
// statistics). Per thread; nests.
class NoGrad {
public:
    NoGrad();
    ~NoGrad();
    NoGrad(const NoGrad &) = delete;
    NoGrad &operator=(const NoGrad &) = delete;

private:
    bool prev_;
};

} // namespace vigil::nn
