// ops.hpp — the differentiable operations of vigil::nn.
//
// Every op here is written once (src/ops_*.cpp) against the per-backend
// kernel interface (src/backend.hpp): it checks shapes, dtypes and devices,
// allocates its output on the inputs' device, calls the kernels of that
// device, and, when recording, attaches a backward closure. Inputs must share
// one device and one floating dtype (f32 or f64); nothing moves implicitly.
// Shapes follow PyTorch's conventions (NCHW images, [N, features] rows,
// weight layouts of torch.nn) so reference values and settings carry over.
#pragma once

#include <vigil/nn/tensor.hpp>

#include <cstdint>
#include <vector>

namespace vigil::nn {

class Generator;

// ---- elementwise, unary ----
Tensor relu(const Tensor &x);
Tensor leaky_relu(const Tensor &x, double negative_slope = 0.01);
Tensor sigmoid(const Tensor &x);
Tensor tanh(const Tensor &x);
// log(1 + exp(beta x)) / beta; linear above beta x > threshold (as torch.nn.Softplus).
Tensor softplus(const Tensor &x, double beta = 1.0, double threshold = 20.0);
Tensor exp(const Tensor &x);
Tensor log(const Tensor &x);
Tensor square(const Tensor &x);
Tensor sqrt(const Tensor &x);
Tensor abs(const Tensor &x);  // gradient 0 at 0
Tensor pow(const Tensor &x, double exponent);
Tensor affine(const Tensor &x, double scale, double shift);  // scale x + shift

// ---- elementwise, binary, with NumPy broadcasting ----
Tensor add(const Tensor &a, const Tensor &b);
Tensor sub(const Tensor &a, const Tensor &b);
Tensor mul(const Tensor &a, const Tensor &b);
Tensor div(const Tensor &a, const Tensor &b);
Tensor maximum(const Tensor &a, const Tensor &b);  // ties send the gradient to a
Tensor operator+(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &a, const Tensor &b);
Tensor operator*(const Tensor &a, const Tensor &b);
Tensor operator/(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &a);
Tensor operator+(const Tensor &a, double s);
Tensor operator-(const Tensor &a, double s);
Tensor operator*(const Tensor &a, double s);
Tensor operator/(const Tensor &a, double s);
Tensor operator+(double s, const Tensor &a);
Tensor operator-(double s, const Tensor &a);
Tensor operator*(double s, const Tensor &a);
// Sums g over broadcast axes so that it has `shape` (the backward of broadcasting).
Tensor sum_to(const Tensor &g, const Shape &shape);

// ---- reductions ----
Tensor sum(const Tensor &x);                                      // all elements -> shape {}
Tensor sum(const Tensor &x, std::vector<int> axes, bool keepdim = false);
Tensor mean(const Tensor &x);
Tensor mean(const Tensor &x, std::vector<int> axes, bool keepdim = false);
Tensor max(const Tensor &x);                                      // all elements -> shape {}
Tensor max(const Tensor &x, int axis, bool keepdim = false);       // first maximum gets the gradient
Tensor argmax(const Tensor &x, int axis);                          // int32, not differentiable

// ---- shape ----
Tensor reshape(const Tensor &x, const Shape &shape);
Tensor flatten(const Tensor &x, int start_axis = 1);
Tensor concat(const std::vector<Tensor> &xs, int axis);
std::vector<Tensor> split(const Tensor &x, const std::vector<int64_t> &sizes, int axis);
Tensor slice(const Tensor &x, int axis, int64_t start, int64_t end);  // [start, end)
Tensor transpose2d(const Tensor &x);                                  // [m, n] -> [n, m]

// ---- linear algebra and layers ----
Tensor matmul(const Tensor &a, const Tensor &b);  // [m, k] x [k, n]
// x [N, in], weight [out, in], bias [out] or undefined -> [N, out]
Tensor linear(const Tensor &x, const Tensor &weight, const Tensor &bias = Tensor());

struct Conv2dOptions {
    int64_t stride_h = 1, stride_w = 1;
    int64_t pad_h = 0, pad_w = 0;
    int64_t output_pad_h = 0, output_pad_w = 0;  // transposed convolution only
    static Conv2dOptions make(int64_t stride, int64_t pad, int64_t output_pad = 0) {
        return {stride, stride, pad, pad, output_pad, output_pad};
    }
};
// x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] or undefined.
Tensor conv2d(const Tensor &x, const Tensor &weight, const Tensor &bias, const Conv2dOptions &o);
// x [N, Cin, H, W], weight [Cin, Cout, kh, kw] (torch.nn.ConvTranspose2d's
// layout), output (H-1)·s − 2p + k + output_pad.
Tensor conv_transpose2d(const Tensor &x, const Tensor &weight, const Tensor &bias, const Conv2dOptions &o);

// Batch normalisation over axis 1 of [N, C] or [N, C, H, W]. Training: batch
// statistics (biased variance for normalising), and running statistics, when
// given, updated in place as running = (1 − momentum)·running + momentum·batch
// with the unbiased variance (torch.nn.BatchNorm semantics). Evaluation: the
// running statistics. gamma/beta may be undefined (affine = false).
Tensor batch_norm(const Tensor &x, const Tensor &running_mean, const Tensor &running_var, const Tensor &gamma,
                  const Tensor &beta, bool training, double momentum, double eps);

struct Pool2dOptions {
    int64_t kernel_h = 2, kernel_w = 2;
    int64_t stride_h = 2, stride_w = 2;
    int64_t pad_h = 0, pad_w = 0;
    static Pool2dOptions make(int64_t kernel, int64_t stride = 0, int64_t pad = 0) {
        const int64_t s = stride > 0 ? stride : kernel;
        return {kernel, kernel, s, s, pad, pad};
    }
};
Tensor max_pool2d(const Tensor &x, const Pool2dOptions &o);
// Average over the window, padding counted as zeros (count_include_pad = true).
Tensor avg_pool2d(const Tensor &x, const Pool2dOptions &o);
// Mean over H and W: [N, C, H, W] -> [N, C].
Tensor global_avg_pool2d(const Tensor &x);
Tensor upsample_nearest2d(const Tensor &x, int64_t scale);

// ---- softmax and losses ----
Tensor softmax(const Tensor &x, int axis = -1);
Tensor log_softmax(const Tensor &x, int axis = -1);
// Mean over the batch of −log softmax(logits)[i, labels[i]]; logits [N, K],
// labels int32 [N] on the same device.
Tensor cross_entropy(const Tensor &logits, const Tensor &labels);
Tensor mse_loss(const Tensor &a, const Tensor &b);  // mean of squared differences

// Inverted dropout: in training, zeroes each element with probability p and
// scales the rest by 1/(1 − p); identity otherwise. The mask comes from a
// counter-based hash of (a 64-bit draw from gen, element index), so it is the
// same on every backend and thread count.
Tensor dropout(const Tensor &x, double p, bool training, Generator &gen);

// ---- image ops on [N, C, H, W] (all differentiable) ----
// Reflect padding (no edge repeat, as torch.nn.ReflectionPad2d); pads < size.
Tensor reflect_pad2d(const Tensor &x, int64_t left, int64_t right, int64_t top, int64_t bottom);
Tensor hflip(const Tensor &x);
// How translate() fills the uncovered border.
//   symmetric: reflection that repeats the edge pixel (d c b a | a b c d | d c b a):
//              scipy.ndimage mode 'reflect', numpy.pad 'symmetric'. GEOM's reference
//              shifts with Keras apply_affine_transform(fill_mode='reflect'), which is
//              scipy.ndimage's 'reflect', so this is the default.
//   mirror:    reflection about the edge pixel (d c b | a b c d | c b a):
//              numpy.pad 'reflect', scipy 'mirror', torch ReflectionPad2d.
enum class Fill { symmetric, mirror };
// Shift content by (dx, dy) whole pixels (positive = right / down).
Tensor translate(const Tensor &x, int64_t dx, int64_t dy, Fill fill = Fill::symmetric);
// Rotation by k·90° counter-clockwise (np.rot90 on the (H, W) axes).
Tensor rot90(const Tensor &x, int k);

} // namespace vigil::nn
