// ops_elementwise.cpp — unary and broadcasting binary ops, reductions, and
// the argument checks every op shares.
#include "autograd.hpp"
#include "backend.hpp"

#include <vigil/nn/ops.hpp>

#include <algorithm>

namespace vigil::nn {

namespace detail {

void fail_arg(const std::string &op, const std::string &what) { sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, op + ": " + what); }
void check_defined(const std::string &op, const Tensor &t, const char *what) {
    if (!t.defined()) fail_arg(op, std::string(what) + " is undefined");
}
void check_float(const std::string &op, const Tensor &t) {
    check_defined(op, t);
    if (t.dtype() == DType::i32) fail_arg(op, "needs a floating tensor, got " + t.describe());
}
void check_same(const std::string &op, const Tensor &a, const Tensor &b) {
    check_float(op, a);
    check_float(op, b);
    if (a.device() != b.device() || a.dtype() != b.dtype())
        fail_arg(op, "operands " + a.describe() + " and " + b.describe() +
                         " differ in device or dtype (transfers and casts are explicit)");
}
int normalize_axis(const std::string &op, int axis, int rank) {
    const int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) fail_arg(op, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
    return a;
}
Tensor empty_like(const Tensor &like, const Shape &shape) { return Tensor::empty(shape, like.dtype(), like.device()); }

} // namespace detail

using namespace detail;

namespace {

Tensor unary_op(const char *name, Unary op, const Tensor &x, double a = 0, double b = 0) {
    check_float(name, x);
    Tensor y = empty_like(x, x.shape());
    kernels(x.device()).unary(op, x, y, a, b);
    if (needs_record({&x})) {
        Tensor xs = x.detach(), ys = y.detach();
        record(y, name, {x}, [op, xs, ys, a, b](const Tensor &g, GradSink &s) {
            Tensor gx = empty_like(xs, xs.shape());
            kernels(xs.device()).unary_backward(op, xs, ys, g, gx, a, b);
            s.set(0, gx);
        });
    }
    return y;
}

Shape broadcast_shape(const char *op, const Shape &a, const Shape &b) {
    const size_t r = std::max(a.size(), b.size());
    Shape y(r);
    for (size_t i = 0; i < r; ++i) {
        const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
        const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
        if (da != db && da != 1 && db != 1)
            fail_arg(op, "shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
        y[i] = da == 1 ? db : da;
    }
    return y;
}

// x seen with `rank` axes (leading 1s), sharing storage, no history.
Tensor as_rank(const Tensor &x, size_t rank) {
    Shape s(rank - x.shape().size(), 1);
    s.insert(s.end(), x.shape().begin(), x.shape().end());
    Tensor v = x.detach();
    return v.shape() == s ? v : v.reshape(s);
}

// y (shape `shape`) = x broadcast to it.
Tensor expand(const Tensor &x, const Shape &shape) {
    if (x.shape() == shape) return x;
    Tensor y = empty_like(x, shape);
    Tensor zero = Tensor::zeros(Shape(shape.size(), 1), x.dtype(), x.device());
    kernels(x.device()).binary(Binary::add, as_rank(x, shape.size()), zero, y);
    return y;
}

Tensor binary_op(const char *name, Binary op, const Tensor &a, const Tensor &b) {
    check_same(name, a, b);
    const Shape ys = broadcast_shape(name, a.shape(), b.shape());
    Tensor y = empty_like(a, ys);
    kernels(a.device()).binary(op, as_rank(a, ys.size()), as_rank(b, ys.size()), y);
    if (needs_record({&a, &b})) {
        Tensor as = a.detach(), bs = b.detach(), yd = y.detach();
        record(y, name, {a, b}, [op, as, bs, yd](const Tensor &g, GradSink &s) {
            switch (op) {
            case Binary::add:
                if (s.need(0)) s.set(0, sum_to(g, as.shape()));
                if (s.need(1)) s.set(1, sum_to(g, bs.shape()));
                break;
            case Binary::sub:
                if (s.need(0)) s.set(0, sum_to(g, as.shape()));
                if (s.need(1)) s.set(1, sum_to(-g, bs.shape()));
                break;
            case Binary::mul:
                if (s.need(0)) s.set(0, sum_to(g * bs, as.shape()));
                if (s.need(1)) s.set(1, sum_to(g * as, bs.shape()));
                break;
            case Binary::div:
                if (s.need(0)) s.set(0, sum_to(g / bs, as.shape()));
                if (s.need(1)) s.set(1, sum_to(-(g * yd) / bs, bs.shape()));
                break;
            case Binary::maximum: {
                const Tensor ae = expand(as, yd.shape()), be = expand(bs, yd.shape());
                Tensor ga = s.need(0) ? empty_like(g, yd.shape()) : Tensor();
                Tensor gb = s.need(1) ? empty_like(g, yd.shape()) : Tensor();
                kernels(g.device()).maximum_backward(ae, be, g, ga.defined() ? &ga : nullptr, gb.defined() ? &gb : nullptr);
                if (ga.defined()) s.set(0, sum_to(ga, as.shape()));
                if (gb.defined()) s.set(1, sum_to(gb, bs.shape()));
                break;
            }
            }
        });
    }
    return y;
}

// Sum of x over the axes in `reduce` (sorted, unique), keeping them as size 1.
// Runs of adjacent axes are reduced in one kernel call each.
Tensor reduce_sum_keep(const Tensor &x, const std::vector<int> &reduce) {
    Tensor cur = x.detach();
    Shape shape = x.shape();
    size_t i = 0;
    while (i < reduce.size()) {
        size_t j = i;
        while (j + 1 < reduce.size() && reduce[j + 1] == reduce[j] + 1) ++j;
        const int a0 = reduce[i], a1 = reduce[j];
        int64_t outer = 1, n = 1, inner = 1;
        for (int d = 0; d < a0; ++d) outer *= shape[static_cast<size_t>(d)];
        for (int d = a0; d <= a1; ++d) n *= shape[static_cast<size_t>(d)];
        for (size_t d = static_cast<size_t>(a1) + 1; d < shape.size(); ++d) inner *= shape[d];
        i = j + 1;
        if (n == 1) continue;  // already size 1
        for (int d = a0; d <= a1; ++d) shape[static_cast<size_t>(d)] = 1;
        Tensor next = empty_like(cur, shape);
        kernels(cur.device()).reduce_sum(cur, next, outer, n, inner);
        cur = next;
    }
    return cur;
}

std::vector<int> normalize_axes(const char *op, std::vector<int> axes, int rank) {
    for (int &a : axes) a = normalize_axis(op, a, rank);
    std::sort(axes.begin(), axes.end());
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) fail_arg(op, "repeated axis");
    return axes;
}

} // namespace

Tensor relu(const Tensor &x) { return unary_op("relu", Unary::relu, x); }
Tensor leaky_relu(const Tensor &x, double slope) { return unary_op("leaky_relu", Unary::leaky_relu, x, slope); }
Tensor sigmoid(const Tensor &x) { return unary_op("sigmoid", Unary::sigmoid, x); }
Tensor tanh(const Tensor &x) { return unary_op("tanh", Unary::tanh, x); }
Tensor softplus(const Tensor &x, double beta, double threshold) {
    if (!(beta > 0)) fail_arg("softplus", "beta must be positive");
    return unary_op("softplus", Unary::softplus, x, beta, threshold);
}
Tensor exp(const Tensor &x) { return unary_op("exp", Unary::exp, x); }
Tensor log(const Tensor &x) { return unary_op("log", Unary::log, x); }
Tensor square(const Tensor &x) { return unary_op("square", Unary::square, x); }
Tensor sqrt(const Tensor &x) { return unary_op("sqrt", Unary::sqrt, x); }
Tensor abs(const Tensor &x) { return unary_op("abs", Unary::abs, x); }
Tensor pow(const Tensor &x, double e) { return unary_op("pow", Unary::pow, x, e); }
Tensor affine(const Tensor &x, double scale, double shift) { return unary_op("affine", Unary::affine, x, scale, shift); }

Tensor add(const Tensor &a, const Tensor &b) { return binary_op("add", Binary::add, a, b); }
Tensor sub(const Tensor &a, const Tensor &b) { return binary_op("sub", Binary::sub, a, b); }
Tensor mul(const Tensor &a, const Tensor &b) { return binary_op("mul", Binary::mul, a, b); }
Tensor div(const Tensor &a, const Tensor &b) { return binary_op("div", Binary::div, a, b); }
Tensor maximum(const Tensor &a, const Tensor &b) { return binary_op("maximum", Binary::maximum, a, b); }
Tensor operator+(const Tensor &a, const Tensor &b) { return add(a, b); }
Tensor operator-(const Tensor &a, const Tensor &b) { return sub(a, b); }
Tensor operator*(const Tensor &a, const Tensor &b) { return mul(a, b); }
Tensor operator/(const Tensor &a, const Tensor &b) { return div(a, b); }
Tensor operator-(const Tensor &a) { return affine(a, -1.0, 0.0); }
Tensor operator+(const Tensor &a, double s) { return affine(a, 1.0, s); }
Tensor operator-(const Tensor &a, double s) { return affine(a, 1.0, -s); }
Tensor operator*(const Tensor &a, double s) { return affine(a, s, 0.0); }
Tensor operator/(const Tensor &a, double s) { return affine(a, 1.0 / s, 0.0); }
Tensor operator+(double s, const Tensor &a) { return affine(a, 1.0, s); }
Tensor operator-(double s, const Tensor &a) { return affine(a, -1.0, s); }
Tensor operator*(double s, const Tensor &a) { return affine(a, s, 0.0); }

Tensor sum_to(const Tensor &g, const Shape &shape) {
    if (g.shape() == shape) return g;
    const Shape &gs = g.shape();
    if (shape.size() > gs.size()) fail_arg("sum_to", "cannot reduce " + shape_str(gs) + " to " + shape_str(shape));
    const size_t lead = gs.size() - shape.size();
    std::vector<int> axes;
    for (size_t i = 0; i < gs.size(); ++i) {
        if (i < lead) {
            axes.push_back(static_cast<int>(i));
        } else if (shape[i - lead] == 1 && gs[i] != 1) {
            axes.push_back(static_cast<int>(i));
        } else if (shape[i - lead] != gs[i]) {
            fail_arg("sum_to", "cannot reduce " + shape_str(gs) + " to " + shape_str(shape));
        }
    }
    if (grad_enabled() && g.requires_grad()) return sum(g, axes, true).reshape(shape);  // recorded
    return reduce_sum_keep(g, axes).reshape(shape);
}

Tensor sum(const Tensor &x, std::vector<int> axes_in, bool keepdim) {
    check_float("sum", x);
    const std::vector<int> axes = normalize_axes("sum", std::move(axes_in), x.rank());
    Tensor y = reduce_sum_keep(x, axes);
    Shape out;
    for (int d = 0; d < x.rank(); ++d)
        if (!std::binary_search(axes.begin(), axes.end(), d)) out.push_back(x.shape()[static_cast<size_t>(d)]);
    if (!keepdim) y = y.reshape(out);
    if (needs_record({&x})) {
        const Shape xs = x.shape(), kept = [&] {
            Shape k = x.shape();
            for (int a : axes) k[static_cast<size_t>(a)] = 1;
            return k;
        }();
        record(y, "sum", {x}, [xs, kept](const Tensor &g, GradSink &s) { s.set(0, expand(g.reshape(kept), xs)); });
    }
    return y;
}

Tensor sum(const Tensor &x) {
    check_float("sum", x);
    std::vector<int> all(static_cast<size_t>(x.rank()));
    for (int i = 0; i < x.rank(); ++i) all[static_cast<size_t>(i)] = i;
    if (all.empty()) return x.clone();
    return sum(x, all, false);
}

Tensor mean(const Tensor &x, std::vector<int> axes, bool keepdim) {
    check_float("mean", x);
    const std::vector<int> ax = normalize_axes("mean", axes, x.rank());
    int64_t n = 1;
    for (int a : ax) n *= x.shape()[static_cast<size_t>(a)];
    if (n == 0) fail_arg("mean", "mean over an empty axis");
    return sum(x, ax, keepdim) * (1.0 / double(n));
}
Tensor mean(const Tensor &x) {
    check_float("mean", x);
    if (x.numel() == 0) fail_arg("mean", "mean of an empty tensor");
    return sum(x) * (1.0 / double(x.numel()));
}

Tensor max(const Tensor &x, int axis_in, bool keepdim) {
    check_float("max", x);
    const int axis = normalize_axis("max", axis_in, x.rank());
    const Shape &xs = x.shape();
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= xs[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < xs.size(); ++d) inner *= xs[d];
    const int64_t n = xs[static_cast<size_t>(axis)];
    if (n == 0) fail_arg("max", "max over an empty axis");
    Shape kept = xs;
    kept[static_cast<size_t>(axis)] = 1;
    Tensor y = empty_like(x, kept);
    Tensor idx = Tensor::empty(kept, DType::i32, x.device());
    kernels(x.device()).reduce_max(x, y, idx, outer, n, inner);
    if (!keepdim) {
        Shape out = xs;
        out.erase(out.begin() + axis);
        y = y.reshape(out);
    }
    if (needs_record({&x})) {
        record(y, "max", {x}, [xs, kept, idx, outer, n, inner](const Tensor &g, GradSink &s) {
            Tensor gx = empty_like(g, xs);
            kernels(g.device()).reduce_max_backward(g.reshape(kept), idx, gx, outer, n, inner);
            s.set(0, gx);
        });
    }
    return y;
}
Tensor max(const Tensor &x) {
    check_float("max", x);
    if (x.numel() == 0) fail_arg("max", "max of an empty tensor");
    return max(x.reshape({x.numel()}), 0, false);
}
Tensor argmax(const Tensor &x, int axis_in) {
    check_float("argmax", x);
    const int axis = normalize_axis("argmax", axis_in, x.rank());
    const Shape &xs = x.shape();
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= xs[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < xs.size(); ++d) inner *= xs[d];
    Shape out = xs;
    out.erase(out.begin() + axis);
    Tensor y = empty_like(x, out), idx = Tensor::empty(out, DType::i32, x.device());
    kernels(x.device()).reduce_max(x, y, idx, outer, xs[static_cast<size_t>(axis)], inner);
    return idx;
}

} // namespace vigil::nn
