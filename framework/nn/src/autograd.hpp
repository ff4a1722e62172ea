// autograd.hpp — the tensor implementation and the tape (internal).
//
// A Node is one recorded op with one output. It holds the op's inputs (so
// backward can route gradients to them: a leaf's grad, or the node that
// produced a non-leaf) and a backward closure computing the inputs'
// gradients from the output's. Closures must never capture their own output
// tensor (that would make a reference cycle output → node → output); they
// capture `out.detach()`, which shares the storage without the history.
// Nodes are numbered in creation order (`seq`); backward() processes the
// reachable nodes by decreasing seq, which visits every node after all the
// nodes that consume its output.
#pragma once

#include <vigil/cpp/plugin.hpp>
#include <vigil/nn/tensor.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace vigil::nn::detail {

struct TensorImpl {
    Shape shape;
    DType dtype = DType::f32;
    std::shared_ptr<Storage> storage;
    bool requires_grad = false;
    Tensor grad;                    // leaves only
    std::shared_ptr<Node> grad_fn;  // non-leaves
};

// What a backward closure fills: one gradient per input of its node, left
// undefined where the input does not need one (need(i) false) or receives none.
class GradSink {
public:
    explicit GradSink(std::vector<bool> need) : need_(std::move(need)), grads_(need_.size()) {}
    bool need(size_t i) const { return need_.at(i); }
    void set(size_t i, Tensor g) {
        if (need_.at(i)) grads_[i] = std::move(g);
    }
    std::vector<Tensor> &grads() { return grads_; }

private:
    std::vector<bool> need_;
    std::vector<Tensor> grads_;
};

using BackwardFn = std::function<void(const Tensor &grad_out, GradSink &sink)>;

struct Node {
    const char *name = "";
    uint64_t seq = 0;
    std::vector<Tensor> inputs;
    BackwardFn backward;
    bool released = false;
};

// True when an op with these inputs must be recorded: grad mode on and at
// least one input requires grad.
bool needs_record(std::initializer_list<const Tensor *> inputs);
bool needs_record(const std::vector<Tensor> &inputs);

// Attaches a node (name must be a string literal) to `out`, making it a
// non-leaf that requires grad. Call only when needs_record(...) was true.
void record(Tensor &out, const char *name, std::vector<Tensor> inputs, BackwardFn fn);

// ---- argument checks shared by the ops ----
[[noreturn]] void fail_arg(const std::string &op, const std::string &what);
void check_defined(const std::string &op, const Tensor &t, const char *what = "input");
void check_float(const std::string &op, const Tensor &t);
void check_same(const std::string &op, const Tensor &a, const Tensor &b);  // device and dtype
int normalize_axis(const std::string &op, int axis, int rank);

// Output of the same dtype and device as `like`.
Tensor empty_like(const Tensor &like, const Shape &shape);

} // namespace vigil::nn::detail
