// ops_layers.cpp — GEMM-based layers, convolutions, batch norm, pooling,
// softmax and the losses.
#include "autograd.hpp"
#include "backend.hpp"

#include <vigil/nn/ops.hpp>
#include <vigil/nn/random.hpp>

namespace vigil::nn {

using namespace detail;

namespace {
const Tensor *opt(const Tensor &t) { return t.defined() ? &t : nullptr; }
Tensor *opt(Tensor &t) { return t.defined() ? &t : nullptr; }

void check_bias(const char *op, const Tensor &x, const Tensor &b, int64_t n) {
    if (!b.defined()) return;
    check_same(op, x, b);
    if (b.rank() != 1 || b.size(0) != n) fail_arg(op, "bias " + b.describe() + " must have " + std::to_string(n) + " elements");
}
} // namespace

Tensor matmul(const Tensor &a, const Tensor &b) {
    check_same("matmul", a, b);
    if (a.rank() != 2 || b.rank() != 2 || a.size(1) != b.size(0))
        fail_arg("matmul", "shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) + " do not multiply");
    const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
    Tensor y = empty_like(a, {m, n});
    kernels(a.device()).gemm(false, false, m, n, k, 1.0, a, b, 0.0, y);
    if (needs_record({&a, &b})) {
        Tensor as = a.detach(), bs = b.detach();
        record(y, "matmul", {a, b}, [as, bs, m, n, k](const Tensor &g, GradSink &s) {
            if (s.need(0)) {  // ga = g·bᵀ
                Tensor ga = empty_like(g, {m, k});
                kernels(g.device()).gemm(false, true, m, k, n, 1.0, g, bs, 0.0, ga);
                s.set(0, ga);
            }
            if (s.need(1)) {  // gb = aᵀ·g
                Tensor gb = empty_like(g, {k, n});
                kernels(g.device()).gemm(true, false, k, n, m, 1.0, as, g, 0.0, gb);
                s.set(1, gb);
            }
        });
    }
    return y;
}

Tensor linear(const Tensor &x, const Tensor &w, const Tensor &b) {
    check_same("linear", x, w);
    if (x.rank() != 2 || w.rank() != 2 || x.size(1) != w.size(1))
        fail_arg("linear", "input " + x.describe() + " and weight " + w.describe() + " do not match ([N, in], [out, in])");
    const int64_t rows = x.size(0), in = x.size(1), out = w.size(0);
    check_bias("linear", x, b, out);
    Tensor y = empty_like(x, {rows, out});
    Kernels &k = kernels(x.device());
    k.gemm(false, true, rows, out, in, 1.0, x, w, 0.0, y);
    if (b.defined()) k.binary(Binary::add, y, b.detach().reshape({1, out}), y);
    if (needs_record({&x, &w, &b})) {
        Tensor xs = x.detach(), ws = w.detach();
        const bool has_b = b.defined();
        record(y, "linear", {x, w, b}, [xs, ws, rows, in, out, has_b](const Tensor &g, GradSink &s) {
            Kernels &kk = kernels(g.device());
            if (s.need(0)) {  // gx = g·W
                Tensor gx = empty_like(g, {rows, in});
                kk.gemm(false, false, rows, in, out, 1.0, g, ws, 0.0, gx);
                s.set(0, gx);
            }
            if (s.need(1)) {  // gW = gᵀ·x
                Tensor gw = empty_like(g, {out, in});
                kk.gemm(true, false, out, in, rows, 1.0, g, xs, 0.0, gw);
                s.set(1, gw);
            }
            if (has_b && s.need(2)) {
                Tensor gb = empty_like(g, {out});
                kk.reduce_sum(g, gb, 1, rows, out);
                s.set(2, gb);
            }
        });
    }
    return y;
}

namespace {
int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t p) { return (in + 2 * p - k) / s + 1; }

void check_conv_args(const char *op, const Tensor &x, const Tensor &w, const Conv2dOptions &o) {
    check_same(op, x, w);
    if (x.rank() != 4 || w.rank() != 4) fail_arg(op, "needs input [N, C, H, W] and a 4-d weight, got " + x.describe() + ", " + w.describe());
    if (o.stride_h < 1 || o.stride_w < 1 || o.pad_h < 0 || o.pad_w < 0) fail_arg(op, "bad stride or padding");
}
} // namespace

Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor &b, const Conv2dOptions &o) {
    check_conv_args("conv2d", x, w, o);
    if (x.size(1) != w.size(1)) fail_arg("conv2d", "input " + x.describe() + " has not the weight's " + std::to_string(w.size(1)) + " channels");
    ConvGeom g{x.size(0), x.size(1), x.size(2), x.size(3), w.size(0), w.size(2), w.size(3), 0, 0,
               o.stride_h, o.stride_w, o.pad_h, o.pad_w};
    g.oh = conv_out(g.h, g.kh, g.sh, g.ph);
    g.ow = conv_out(g.w, g.kw, g.sw, g.pw);
    if (g.oh < 1 || g.ow < 1) fail_arg("conv2d", "kernel larger than the padded input " + x.describe());
    check_bias("conv2d", x, b, g.c_out);
    Tensor y = empty_like(x, {g.n, g.c_out, g.oh, g.ow});
    kernels(x.device()).conv2d_forward(x, w, opt(b), y, g);
    if (needs_record({&x, &w, &b})) {
        Tensor xs = x.detach(), ws = w.detach();
        const bool has_b = b.defined();
        record(y, "conv2d", {x, w, b}, [xs, ws, g, has_b](const Tensor &gy, GradSink &s) {
            Kernels &k = kernels(gy.device());
            if (s.need(0)) {
                Tensor gx = empty_like(gy, xs.shape());
                k.conv2d_backward_data(gy, ws, gx, g);
                s.set(0, gx);
            }
            if (s.need(1) || (has_b && s.need(2))) {
                Tensor gw = empty_like(gy, ws.shape());
                Tensor gb = has_b ? empty_like(gy, {g.c_out}) : Tensor();
                k.conv2d_backward_weights(xs, gy, gw, opt(gb), g);
                s.set(1, gw);
                if (has_b) s.set(2, gb);
            }
        });
    }
    return y;
}

Tensor conv_transpose2d(const Tensor &x, const Tensor &w, const Tensor &b, const Conv2dOptions &o) {
    check_conv_args("conv_transpose2d", x, w, o);
    if (x.size(1) != w.size(0))
        fail_arg("conv_transpose2d", "input " + x.describe() + " has not the weight's " + std::to_string(w.size(0)) + " input channels");
    if (o.output_pad_h < 0 || o.output_pad_w < 0 || o.output_pad_h >= o.stride_h || o.output_pad_w >= o.stride_w)
        fail_arg("conv_transpose2d", "output padding must be in [0, stride)");
    // The transposed convolution is the backward-data pass of the convolution
    // that maps the (larger) output back to x: that convolution has input
    // channels Cout = w[1], output channels Cin = w[0], weight [Cin, Cout, k, k].
    const int64_t oh = (x.size(2) - 1) * o.stride_h - 2 * o.pad_h + w.size(2) + o.output_pad_h;
    const int64_t ow = (x.size(3) - 1) * o.stride_w - 2 * o.pad_w + w.size(3) + o.output_pad_w;
    if (oh < 1 || ow < 1) fail_arg("conv_transpose2d", "padding leaves no output for " + x.describe());
    const ConvGeom g{x.size(0), w.size(1), oh, ow, w.size(0), w.size(2), w.size(3), x.size(2), x.size(3),
                     o.stride_h, o.stride_w, o.pad_h, o.pad_w};
    check_bias("conv_transpose2d", x, b, g.c_in);
    Tensor y = empty_like(x, {g.n, g.c_in, oh, ow});
    Kernels &k = kernels(x.device());
    k.conv2d_backward_data(x, w, y, g);
    if (b.defined()) k.binary(Binary::add, y, b.detach().reshape({1, g.c_in, 1, 1}), y);
    if (needs_record({&x, &w, &b})) {
        Tensor xs = x.detach(), ws = w.detach();
        const bool has_b = b.defined();
        record(y, "conv_transpose2d", {x, w, b}, [xs, ws, g, has_b](const Tensor &gy, GradSink &s) {
            Kernels &kk = kernels(gy.device());
            if (s.need(0)) {
                Tensor gx = empty_like(gy, xs.shape());
                kk.conv2d_forward(gy, ws, nullptr, gx, g);
                s.set(0, gx);
            }
            if (s.need(1)) {
                Tensor gw = empty_like(gy, ws.shape());
                kk.conv2d_backward_weights(gy, xs, gw, nullptr, g);
                s.set(1, gw);
            }
            if (has_b && s.need(2)) s.set(2, sum(gy, {0, 2, 3}));
        });
    }
    return y;
}

Tensor batch_norm(const Tensor &x, const Tensor &running_mean, const Tensor &running_var, const Tensor &gamma,
                  const Tensor &beta, bool training, double momentum, double eps) {
    const char *op = "batch_norm";
    check_float(op, x);
    if (x.rank() != 2 && x.rank() != 4) fail_arg(op, "needs [N, C] or [N, C, H, W], got " + x.describe());
    const int64_t c = x.size(1);
    for (const Tensor *t : {&running_mean, &running_var, &gamma, &beta})
        if (t->defined()) {
            check_same(op, x, *t);
            if (t->rank() != 1 || t->size(0) != c) fail_arg(op, t->describe() + " must have " + std::to_string(c) + " elements");
        }
    if (running_mean.defined() != running_var.defined()) fail_arg(op, "running mean and variance go together");
    if (!(eps > 0)) fail_arg(op, "eps must be positive");
    Kernels &k = kernels(x.device());
    Tensor y = empty_like(x, x.shape());
    Tensor mean, var;
    bool global = false;
    if (training) {
        const int64_t m = x.numel() / std::max<int64_t>(c, 1);
        if (m < 2) fail_arg(op, "training needs more than one value per channel, got " + x.describe());
        mean = empty_like(x, {c});
        var = empty_like(x, {c});
        k.batchnorm_forward_train(x, opt(gamma), opt(beta), y, mean, var, eps);
        if (running_mean.defined()) {
            Tensor rm = running_mean.detach(), rv = running_var.detach();
            k.axpby(momentum, mean, 1.0 - momentum, rm);
            k.axpby(momentum * double(m) / double(m - 1), var, 1.0 - momentum, rv);  // unbiased
        }
    } else {
        if (!running_mean.defined()) fail_arg(op, "evaluation needs running statistics");
        mean = running_mean.detach().clone();
        var = running_var.detach().clone();
        global = true;
        k.batchnorm_forward_eval(x, opt(gamma), opt(beta), mean, var, y, eps);
    }
    if (needs_record({&x, &gamma, &beta})) {
        Tensor xs = x.detach(), gs = gamma.defined() ? gamma.detach() : Tensor();
        const bool has_beta = beta.defined();
        record(y, "batch_norm", {x, gamma, beta}, [xs, gs, mean, var, eps, global, has_beta](const Tensor &gy, GradSink &s) {
            Tensor gx = empty_like(gy, xs.shape());
            const int64_t ch = xs.size(1);
            Tensor gg = gs.defined() && s.need(1) ? empty_like(gy, {ch}) : Tensor();
            Tensor gb = has_beta && s.need(2) ? empty_like(gy, {ch}) : Tensor();
            kernels(gy.device()).batchnorm_backward(xs, gy, opt(gs), mean, var, gx, opt(gg), opt(gb), eps, global);
            s.set(0, gx);
            if (gg.defined()) s.set(1, gg);
            if (gb.defined()) s.set(2, gb);
        });
    }
    return y;
}

namespace {
Tensor pool(const char *op, PoolKind kind, const Tensor &x, const Pool2dOptions &o) {
    check_float(op, x);
    if (x.rank() != 4) fail_arg(op, "needs [N, C, H, W], got " + x.describe());
    if (o.kernel_h < 1 || o.kernel_w < 1 || o.stride_h < 1 || o.stride_w < 1 || o.pad_h < 0 || o.pad_w < 0 ||
        2 * o.pad_h > o.kernel_h || 2 * o.pad_w > o.kernel_w)
        fail_arg(op, "bad kernel, stride or padding (padding at most half the kernel)");
    PoolGeom g{x.size(0), x.size(1), x.size(2), x.size(3), 0, 0, o.kernel_h, o.kernel_w,
               o.stride_h, o.stride_w, o.pad_h, o.pad_w};
    g.oh = (g.h + 2 * g.ph - g.kh) / g.sh + 1;
    g.ow = (g.w + 2 * g.pw - g.kw) / g.sw + 1;
    if (g.oh < 1 || g.ow < 1) fail_arg(op, "window larger than the padded input " + x.describe());
    Tensor y = empty_like(x, {g.n, g.c, g.oh, g.ow});
    std::shared_ptr<void> ws = kernels(x.device()).pool2d_forward(kind, x, y, g);
    if (needs_record({&x})) {
        record(y, op, {x}, [kind, ws, g](const Tensor &gy, GradSink &s) {
            Tensor gx = empty_like(gy, {g.n, g.c, g.h, g.w});
            kernels(gy.device()).pool2d_backward(kind, gy, ws, gx, g);
            s.set(0, gx);
        });
    }
    return y;
}
} // namespace

Tensor max_pool2d(const Tensor &x, const Pool2dOptions &o) { return pool("max_pool2d", PoolKind::max, x, o); }
Tensor avg_pool2d(const Tensor &x, const Pool2dOptions &o) { return pool("avg_pool2d", PoolKind::avg, x, o); }
Tensor global_avg_pool2d(const Tensor &x) {
    check_float("global_avg_pool2d", x);
    if (x.rank() != 4) fail_arg("global_avg_pool2d", "needs [N, C, H, W], got " + x.describe());
    return mean(x, {2, 3}, false);
}

namespace {
Tensor softmax_impl(const char *op, const Tensor &x, int axis_in, bool log) {
    check_float(op, x);
    const int axis = normalize_axis(op, axis_in, x.rank());
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.shape()[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < x.shape().size(); ++d) inner *= x.shape()[d];
    const int64_t n = x.shape()[static_cast<size_t>(axis)];
    Tensor y = empty_like(x, x.shape());
    if (y.numel()) kernels(x.device()).softmax(x, y, outer, n, inner, log);
    if (needs_record({&x})) {
        Tensor ys = y.detach();
        record(y, op, {x}, [ys, outer, n, inner, log](const Tensor &g, GradSink &s) {
            Tensor gx = empty_like(g, ys.shape());
            if (gx.numel()) kernels(g.device()).softmax_backward(ys, g, gx, outer, n, inner, log);
            s.set(0, gx);
        });
    }
    return y;
}
} // namespace

Tensor softmax(const Tensor &x, int axis) { return softmax_impl("softmax", x, axis, false); }
Tensor log_softmax(const Tensor &x, int axis) { return softmax_impl("log_softmax", x, axis, true); }

Tensor cross_entropy(const Tensor &logits, const Tensor &labels) {
    const char *op = "cross_entropy";
    check_float(op, logits);
    check_defined(op, labels, "labels");
    if (logits.rank() != 2) fail_arg(op, "logits must be [N, classes], got " + logits.describe());
    if (labels.dtype() != DType::i32 || labels.rank() != 1 || labels.size(0) != logits.size(0) ||
        labels.device() != logits.device())
        fail_arg(op, "labels must be int32 [" + std::to_string(logits.size(0)) + "] on the logits' device, got " +
                         labels.describe());
    const int64_t rows = logits.size(0), classes = logits.size(1);
    if (rows == 0) fail_arg(op, "empty batch");
    Kernels &k = kernels(logits.device());
    Tensor lsm = empty_like(logits, logits.shape());
    k.softmax(logits, lsm, rows, classes, 1, true);
    Tensor per_row = empty_like(logits, {rows});
    k.nll_forward(lsm, labels, per_row);
    Tensor loss;
    {
        NoGrad ng;
        loss = mean(per_row);
    }
    if (needs_record({&logits})) {
        Tensor lab = labels.detach();
        record(loss, op, {logits}, [lsm, lab, rows](const Tensor &g, GradSink &s) {
            Tensor gx = empty_like(lsm, lsm.shape());
            kernels(g.device()).cross_entropy_backward(lsm, lab, g.item() / double(rows), gx);
            s.set(0, gx);
        });
    }
    return loss;
}

Tensor mse_loss(const Tensor &a, const Tensor &b) {
    check_same("mse_loss", a, b);
    if (a.shape() != b.shape()) fail_arg("mse_loss", "shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) + " differ");
    return mean(square(a - b));
}

Tensor dropout(const Tensor &x, double p, bool training, Generator &gen) {
    check_float("dropout", x);
    if (!(p >= 0 && p <= 1)) fail_arg("dropout", "p must be in [0, 1]");
    if (!training || p == 0) return x;
    if (p == 1) return x * 0.0;
    Tensor mask = empty_like(x, x.shape());
    kernels(x.device()).dropout_mask(mask, 1.0 - p, gen.next_u64());
    return x * mask;
}

} // namespace vigil::nn
