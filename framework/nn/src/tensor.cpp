// tensor.cpp — Tensor, Storage, grad mode and the backward sweep.
#include "autograd.hpp"
#include "backend.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace vigil::nn {

using detail::TensorImpl;
using sdk::fail;

size_t dtype_size(DType t) {
    switch (t) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::i32: return 4;
    }
    return 0;
}
const char *dtype_name(DType t) {
    switch (t) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::i32: return "i32";
    }
    return "?";
}
const char *device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

std::string shape_str(const Shape &s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}
int64_t shape_numel(const Shape &s) {
    int64_t n = 1;
    for (int64_t d : s) {
        if (d < 0) fail(VIGIL_ERR_INVALID_ARGUMENT, "negative dimension in shape " + shape_str(s));
        n *= d;
    }
    return n;
}

Storage::Storage(size_t bytes, Device device) : bytes_(bytes), device_(device) {
    p_ = detail::kernels(device).allocate(bytes);
}
Storage::~Storage() { detail::kernels(device_).deallocate(p_, bytes_); }

// ---- creation ----
namespace {
std::shared_ptr<TensorImpl> make_impl(const Shape &shape, DType dtype, Device device) {
    auto impl = std::make_shared<TensorImpl>();
    impl->shape = shape;
    impl->dtype = dtype;
    if (dtype == DType::f64 && !detail::kernels(device).supports(DType::f64))
        fail(VIGIL_ERR_UNSUPPORTED, std::string("float64 tensors are not supported on ") + device_name(device));
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype), device);
    return impl;
}
const TensorImpl &need(const std::shared_ptr<TensorImpl> &p) {
    if (!p) fail(VIGIL_ERR_INVALID_ARGUMENT, "use of an undefined tensor");
    return *p;
}
template <class T> DType dtype_of();
template <> DType dtype_of<float>() { return DType::f32; }
template <> DType dtype_of<double>() { return DType::f64; }
template <> DType dtype_of<int32_t>() { return DType::i32; }

thread_local bool g_grad_enabled = true;
const std::shared_ptr<detail::Node> &nullptr_node() {
    static const std::shared_ptr<detail::Node> none;
    return none;
}
} // namespace

Tensor Tensor::empty(const Shape &shape, DType dtype, Device device) { return Tensor(make_impl(shape, dtype, device)); }
Tensor Tensor::zeros(const Shape &shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor Tensor::ones(const Shape &shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor Tensor::full(const Shape &shape, double value, DType dtype, Device device) {
    Tensor t = empty(shape, dtype, device);
    t.fill_(value);
    return t;
}
Tensor Tensor::scalar(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

namespace {
template <class T> Tensor from_ptr(const T *p, const Shape &shape, Device device) {
    Tensor t = Tensor::empty(shape, dtype_of<T>(), device);
    const size_t bytes = static_cast<size_t>(t.numel()) * sizeof(T);
    if (bytes) detail::kernels(device).from_host(t.raw(), p, bytes);
    return t;
}
} // namespace
Tensor Tensor::from_data(const float *p, const Shape &s, Device d) { return from_ptr(p, s, d); }
Tensor Tensor::from_data(const double *p, const Shape &s, Device d) { return from_ptr(p, s, d); }
Tensor Tensor::from_data(const int32_t *p, const Shape &s, Device d) { return from_ptr(p, s, d); }
template <class T> Tensor Tensor::from_vector(const std::vector<T> &v, const Shape &shape, Device device) {
    if (static_cast<int64_t>(v.size()) != shape_numel(shape))
        fail(VIGIL_ERR_INVALID_ARGUMENT, "from_vector: " + std::to_string(v.size()) + " values for shape " +
                                             shape_str(shape));
    return from_ptr(v.data(), shape, device);
}
template Tensor Tensor::from_vector(const std::vector<float> &, const Shape &, Device);
template Tensor Tensor::from_vector(const std::vector<double> &, const Shape &, Device);
template Tensor Tensor::from_vector(const std::vector<int32_t> &, const Shape &, Device);

// ---- properties ----
const Shape &Tensor::shape() const { return need(impl_).shape; }
int64_t Tensor::size(int axis) const {
    const int r = rank();
    const int a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r)
        fail(VIGIL_ERR_INVALID_ARGUMENT, "axis " + std::to_string(axis) + " out of range for " + describe());
    return shape()[static_cast<size_t>(a)];
}
int64_t Tensor::numel() const { return shape_numel(shape()); }
DType Tensor::dtype() const { return need(impl_).dtype; }
Device Tensor::device() const { return need(impl_).storage->device(); }
std::string Tensor::describe() const {
    if (!impl_) return "undefined tensor";
    return std::string(dtype_name(dtype())) + shape_str(shape()) + " on " + device_name(device());
}
void *Tensor::raw() const { return need(impl_).storage->data(); }
template <class T> T *Tensor::data() const {
    if (dtype() != dtype_of<T>())
        fail(VIGIL_ERR_INVALID_ARGUMENT, std::string("data<") + dtype_name(dtype_of<T>()) + ">() on " + describe());
    return static_cast<T *>(raw());
}
template float *Tensor::data<float>() const;
template double *Tensor::data<double>() const;
template int32_t *Tensor::data<int32_t>() const;

template <class T> std::vector<T> Tensor::to_vector() const {
    Tensor src = *this;
    if (device() != Device::cpu) {
        NoGrad ng;
        src = to(Device::cpu);
    }
    if (src.dtype() != dtype_of<T>()) {
        NoGrad ng;
        src = src.to(dtype_of<T>());
    }
    const T *p = src.data<T>();
    return std::vector<T>(p, p + src.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;

double Tensor::item() const {
    if (numel() != 1) fail(VIGIL_ERR_INVALID_ARGUMENT, "item() of " + describe() + ": needs exactly one element");
    return to_vector<double>()[0];
}

bool Tensor::shares_storage(const Tensor &o) const {
    return impl_ && o.impl_ && impl_->storage == o.impl_->storage;
}

// ---- differentiable conversions ----
Tensor Tensor::to(Device device) const {
    if (this->device() == device) return *this;
    Tensor out = empty(shape(), dtype(), device);
    const size_t bytes = static_cast<size_t>(numel()) * dtype_size(dtype());
    if (bytes) {
        if (this->device() == Device::cpu)
            detail::kernels(device).from_host(out.raw(), raw(), bytes);
        else
            detail::kernels(this->device()).to_host(out.raw(), raw(), bytes);
    }
    if (detail::needs_record({this})) {
        const Device src_dev = this->device();
        detail::record(out, "to_device", {*this}, [src_dev](const Tensor &g, detail::GradSink &s) { s.set(0, g.to(src_dev)); });
    }
    return out;
}

Tensor Tensor::to(DType dt) const {
    if (dtype() == dt) return *this;
    Tensor out = empty(shape(), dt, device());
    detail::kernels(device()).cast(*this, out);
    if (detail::needs_record({this})) {
        if (dt == DType::i32) fail(VIGIL_ERR_INVALID_ARGUMENT, "cast to int32 is not differentiable");
        const DType src_dt = dtype();
        detail::record(out, "cast", {*this}, [src_dt](const Tensor &g, detail::GradSink &s) { s.set(0, g.to(src_dt)); });
    }
    return out;
}

Tensor Tensor::clone() const {
    Tensor out = empty(shape(), dtype(), device());
    const size_t bytes = static_cast<size_t>(numel()) * dtype_size(dtype());
    if (bytes) detail::kernels(device()).copy(out.raw(), raw(), bytes);
    if (detail::needs_record({this}))
        detail::record(out, "clone", {*this}, [](const Tensor &g, detail::GradSink &s) { s.set(0, g); });
    return out;
}

Tensor Tensor::detach() const {
    const TensorImpl &me = need(impl_);
    auto impl = std::make_shared<TensorImpl>();
    impl->shape = me.shape;
    impl->dtype = me.dtype;
    impl->storage = me.storage;
    return Tensor(impl);
}

Tensor Tensor::reshape(const Shape &shape_in) const {
    Shape s = shape_in;
    int64_t known = 1;
    int infer = -1;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == -1) {
            if (infer >= 0) fail(VIGIL_ERR_INVALID_ARGUMENT, "reshape: more than one -1 in " + shape_str(shape_in));
            infer = static_cast<int>(i);
        } else if (s[i] < 0) {
            fail(VIGIL_ERR_INVALID_ARGUMENT, "reshape: bad shape " + shape_str(shape_in));
        } else {
            known *= s[i];
        }
    }
    const int64_t n = numel();
    if (infer >= 0) {
        if (known == 0 || n % known != 0)
            fail(VIGIL_ERR_INVALID_ARGUMENT, "reshape of " + describe() + " to " + shape_str(shape_in));
        s[static_cast<size_t>(infer)] = n / known;
    }
    if (shape_numel(s) != n) fail(VIGIL_ERR_INVALID_ARGUMENT, "reshape of " + describe() + " to " + shape_str(shape_in));
    Tensor out = detach();
    out.impl_->shape = s;
    if (detail::needs_record({this})) {
        const Shape orig = shape();
        detail::record(out, "reshape", {*this}, [orig](const Tensor &g, detail::GradSink &sk) { sk.set(0, g.reshape(orig)); });
    }
    return out;
}

Tensor Tensor::flatten(int start_axis) const {
    const int r = rank();
    const int a = start_axis < 0 ? start_axis + r : start_axis;
    if (a < 0 || a > r) fail(VIGIL_ERR_INVALID_ARGUMENT, "flatten: axis out of range for " + describe());
    Shape s(shape().begin(), shape().begin() + a);
    int64_t rest = 1;
    for (int i = a; i < r; ++i) rest *= shape()[static_cast<size_t>(i)];
    s.push_back(rest);
    return reshape(s);
}

// ---- autograd on the handle ----
bool Tensor::requires_grad() const { return need(impl_).requires_grad; }
Tensor &Tensor::requires_grad_(bool on) {
    need(impl_);
    if (impl_->grad_fn) fail(VIGIL_ERR_INVALID_ARGUMENT, "requires_grad_ on a non-leaf tensor");
    if (on && dtype() == DType::i32) fail(VIGIL_ERR_INVALID_ARGUMENT, "an int32 tensor cannot require grad");
    impl_->requires_grad = on;
    return *this;
}
bool Tensor::is_leaf() const { return !need(impl_).grad_fn; }
Tensor Tensor::grad() const { return need(impl_).grad; }
void Tensor::set_grad(const Tensor &g) {
    need(impl_);
    if (g.defined() && (g.shape() != shape() || g.device() != device()))
        fail(VIGIL_ERR_INVALID_ARGUMENT, "set_grad: " + g.describe() + " for " + describe());
    impl_->grad = g;
}
void Tensor::zero_grad() {
    need(impl_);
    impl_->grad = Tensor();
}
const char *Tensor::grad_fn_name() const { return need(impl_).grad_fn ? impl_->grad_fn->name : nullptr; }

// ---- in-place mutation ----
void Tensor::copy_(const Tensor &src) {
    need(impl_);
    if (src.numel() != numel()) fail(VIGIL_ERR_INVALID_ARGUMENT, "copy_ from " + src.describe() + " into " + describe());
    Tensor s = src.detach();
    if (s.device() != device()) s = s.to(device());
    if (s.dtype() != dtype()) {
        detail::kernels(device()).cast(s, *this);
        return;
    }
    const size_t bytes = static_cast<size_t>(numel()) * dtype_size(dtype());
    if (bytes && s.raw() != raw()) detail::kernels(device()).copy(raw(), s.raw(), bytes);
}
void Tensor::fill_(double value) { detail::kernels(device()).fill(*this, value); }
void Tensor::move_to_(Device d) {
    need(impl_);
    if (d == device()) return;
    if (impl_->grad_fn) fail(VIGIL_ERR_INVALID_ARGUMENT, "move_to_ on a non-leaf tensor");
    Tensor moved;
    {
        NoGrad ng;
        moved = detach().to(d);
    }
    impl_->storage = moved.impl_->storage;
    if (impl_->grad.defined()) impl_->grad = impl_->grad.detach().to(d);
}

void Tensor::convert_(DType dt) {
    need(impl_);
    if (dt == dtype()) return;
    if (impl_->grad_fn) fail(VIGIL_ERR_INVALID_ARGUMENT, "convert_ on a non-leaf tensor");
    if (impl_->requires_grad && dt == DType::i32) fail(VIGIL_ERR_INVALID_ARGUMENT, "convert_ of a parameter to int32");
    Tensor converted;
    {
        NoGrad ng;
        converted = detach().to(dt);
    }
    impl_->storage = converted.impl_->storage;
    impl_->dtype = dt;
    if (impl_->grad.defined()) impl_->grad = impl_->grad.detach().to(dt);
}

// ---- grad mode ----
bool grad_enabled() { return g_grad_enabled; }
NoGrad::NoGrad() : prev_(g_grad_enabled) { g_grad_enabled = false; }
NoGrad::~NoGrad() { g_grad_enabled = prev_; }

// ---- the tape ----
namespace detail {

namespace {
std::atomic<uint64_t> g_seq{0};

Tensor accumulate(const Tensor &have, const Tensor &add) {
    if (!have.defined()) return add;
    // Out of place: `have` may alias a gradient another node still holds.
    Tensor out = have.clone();
    kernels(out.device()).axpby(1.0, add, 1.0, out);
    return out;
}
} // namespace

bool needs_record(std::initializer_list<const Tensor *> inputs) {
    if (!g_grad_enabled) return false;
    for (const Tensor *t : inputs)
        if (t && t->defined() && t->requires_grad()) return true;
    return false;
}
bool needs_record(const std::vector<Tensor> &inputs) {
    if (!g_grad_enabled) return false;
    for (const Tensor &t : inputs)
        if (t.defined() && t.requires_grad()) return true;
    return false;
}

void record(Tensor &out, const char *name, std::vector<Tensor> inputs, BackwardFn fn) {
    auto node = std::make_shared<Node>();
    node->name = name;
    node->seq = g_seq.fetch_add(1);
    node->inputs = std::move(inputs);
    node->backward = std::move(fn);
    out.impl()->grad_fn = std::move(node);
    out.impl()->requires_grad = true;
}

} // namespace detail

void Tensor::backward(const Tensor &seed_in, bool retain_graph) const {
    need(impl_);
    if (!requires_grad()) fail(VIGIL_ERR_INVALID_ARGUMENT, "backward on a tensor that does not require grad");
    Tensor seed = seed_in;
    if (!seed.defined()) {
        if (numel() != 1) fail(VIGIL_ERR_INVALID_ARGUMENT, "backward without a seed needs a one-element tensor, not " + describe());
        seed = Tensor::ones(shape(), dtype(), device());
    } else if (seed.shape() != shape() || seed.device() != device()) {
        fail(VIGIL_ERR_INVALID_ARGUMENT, "backward seed " + seed.describe() + " for " + describe());
    }
    seed = seed.detach();
    NoGrad ng;  // backward closures run ops without recording (no double backward)
    if (!impl_->grad_fn) {
        impl_->grad = detail::accumulate(impl_->grad, seed);
        return;
    }
    // Reachable nodes, then by decreasing creation order. `order` owns them
    // for the whole sweep: releasing a node drops its inputs, which may be
    // the last owners of nodes still to be processed.
    std::vector<std::shared_ptr<detail::Node>> order;
    std::unordered_set<detail::Node *> seen;
    std::vector<std::shared_ptr<detail::Node>> stack{impl_->grad_fn};
    seen.insert(impl_->grad_fn.get());
    while (!stack.empty()) {
        std::shared_ptr<detail::Node> n = std::move(stack.back());
        stack.pop_back();
        if (n->released)
            fail(VIGIL_ERR_STATE, std::string("backward through a released graph (op ") + n->name +
                                      "); pass retain_graph to backward twice");
        for (const Tensor &in : n->inputs) {
            const std::shared_ptr<detail::Node> &p = in.defined() ? in.impl()->grad_fn : nullptr_node();
            if (p && seen.insert(p.get()).second) stack.push_back(p);
        }
        order.push_back(std::move(n));
    }
    std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) { return a->seq > b->seq; });
    std::unordered_map<detail::Node *, Tensor> pending;
    pending[impl_->grad_fn.get()] = seed;
    for (const std::shared_ptr<detail::Node> &np : order) {
        detail::Node *n = np.get();
        auto it = pending.find(n);
        if (it == pending.end()) continue;  // no gradient reached this node
        Tensor g = std::move(it->second);
        pending.erase(it);
        std::vector<bool> needv(n->inputs.size());
        for (size_t i = 0; i < needv.size(); ++i) needv[i] = n->inputs[i].defined() && n->inputs[i].requires_grad();
        detail::GradSink sink(std::move(needv));
        n->backward(g, sink);
        for (size_t i = 0; i < n->inputs.size(); ++i) {
            const Tensor &gi = sink.grads()[i];
            if (!gi.defined()) continue;
            const Tensor &in = n->inputs[i];
            if (gi.shape() != in.shape() || gi.dtype() != in.dtype() || gi.device() != in.device())
                fail(VIGIL_ERR_INTERNAL, std::string("backward of ") + n->name + " gave " + gi.describe() +
                                             " for input " + in.describe());
            if (detail::Node *p = in.impl()->grad_fn.get())
                pending[p] = detail::accumulate(pending[p], gi);
            else
                in.impl()->grad = detail::accumulate(in.impl()->grad, gi.detach());
        }
        if (!retain_graph) {
            n->released = true;
            n->backward = nullptr;
            n->inputs.clear();
        }
    }
}

} // namespace vigil::nn
