// ops_shape.cpp — reshape, flatten, concat, split, slice, transpose.
// Concatenation and slicing are block copies over x viewed as
// [outer, axis · inner]; their backward passes are the opposite copies.
#include "autograd.hpp"
#include "backend.hpp"

#include <vigil/nn/ops.hpp>

namespace vigil::nn {

using namespace detail;

Tensor reshape(const Tensor &x, const Shape &shape) {
    check_defined("reshape", x);
    return x.reshape(shape);
}
Tensor flatten(const Tensor &x, int start_axis) {
    check_defined("flatten", x);
    return x.flatten(start_axis);
}

namespace {
void outer_inner(const Shape &s, int axis, int64_t &outer, int64_t &inner) {
    outer = 1;
    inner = 1;
    for (int d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
}
} // namespace

Tensor slice(const Tensor &x, int axis_in, int64_t start, int64_t end) {
    check_defined("slice", x);
    const int axis = normalize_axis("slice", axis_in, x.rank());
    const int64_t size = x.shape()[static_cast<size_t>(axis)];
    if (start < 0 || end > size || start > end)
        fail_arg("slice", "range [" + std::to_string(start) + ", " + std::to_string(end) + ") outside axis of size " +
                              std::to_string(size));
    int64_t outer, inner;
    outer_inner(x.shape(), axis, outer, inner);
    Shape ys = x.shape();
    ys[static_cast<size_t>(axis)] = end - start;
    Tensor y = empty_like(x, ys);
    const int64_t len = (end - start) * inner;
    if (y.numel()) kernels(x.device()).copy_blocks(x, y, outer, len, size * inner, start * inner, len, 0);
    if (needs_record({&x})) {
        const Shape xs = x.shape();
        record(y, "slice", {x}, [xs, outer, len, size, inner, start](const Tensor &g, GradSink &s) {
            Tensor gx = Tensor::zeros(xs, g.dtype(), g.device());
            if (g.numel()) kernels(g.device()).copy_blocks(g, gx, outer, len, len, 0, size * inner, start * inner);
            s.set(0, gx);
        });
    }
    return y;
}

std::vector<Tensor> split(const Tensor &x, const std::vector<int64_t> &sizes, int axis_in) {
    check_defined("split", x);
    const int axis = normalize_axis("split", axis_in, x.rank());
    int64_t total = 0;
    for (int64_t s : sizes) {
        if (s < 0) fail_arg("split", "negative size");
        total += s;
    }
    if (total != x.shape()[static_cast<size_t>(axis)])
        fail_arg("split", "sizes add up to " + std::to_string(total) + ", axis has " +
                              std::to_string(x.shape()[static_cast<size_t>(axis)]));
    std::vector<Tensor> out;
    int64_t at = 0;
    for (int64_t s : sizes) {
        out.push_back(slice(x, axis, at, at + s));
        at += s;
    }
    return out;
}

Tensor concat(const std::vector<Tensor> &xs, int axis_in) {
    if (xs.empty()) fail_arg("concat", "no tensors");
    check_defined("concat", xs[0]);
    const int axis = normalize_axis("concat", axis_in, xs[0].rank());
    Shape ys = xs[0].shape();
    int64_t total = 0;
    for (const Tensor &t : xs) {
        check_defined("concat", t);
        if (t.dtype() != xs[0].dtype() || t.device() != xs[0].device() || t.rank() != xs[0].rank())
            fail_arg("concat", t.describe() + " does not match " + xs[0].describe());
        for (int d = 0; d < t.rank(); ++d)
            if (d != axis && t.shape()[static_cast<size_t>(d)] != ys[static_cast<size_t>(d)])
                fail_arg("concat", "shapes " + shape_str(t.shape()) + " and " + shape_str(ys) + " differ off the axis");
        total += t.shape()[static_cast<size_t>(axis)];
    }
    ys[static_cast<size_t>(axis)] = total;
    int64_t outer, inner;
    outer_inner(ys, axis, outer, inner);
    Tensor y = empty_like(xs[0], ys);
    std::vector<int64_t> offsets, sizes;
    int64_t at = 0;
    for (const Tensor &t : xs) {
        const int64_t s = t.shape()[static_cast<size_t>(axis)];
        if (s * inner * outer != 0) kernels(y.device()).copy_blocks(t, y, outer, s * inner, s * inner, 0, total * inner, at * inner);
        offsets.push_back(at);
        sizes.push_back(s);
        at += s;
    }
    if (needs_record(xs)) {
        record(y, "concat", xs, [axis, offsets, sizes](const Tensor &g, GradSink &s) {
            for (size_t i = 0; i < sizes.size(); ++i)
                if (s.need(i)) s.set(i, slice(g, axis, offsets[i], offsets[i] + sizes[i]));
        });
    }
    return y;
}

Tensor transpose2d(const Tensor &x) {
    check_defined("transpose2d", x);
    if (x.rank() != 2) fail_arg("transpose2d", "needs a matrix, got " + x.describe());
    const int64_t r = x.size(0), c = x.size(1);
    Tensor y = empty_like(x, {c, r});
    if (y.numel()) kernels(x.device()).transpose2d(x, y, r, c);
    if (needs_record({&x})) record(y, "transpose2d", {x}, [](const Tensor &g, GradSink &s) { s.set(0, transpose2d(g)); });
    return y;
}

} // namespace vigil::nn
