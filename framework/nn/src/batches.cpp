// batches.cpp — nn::Batches (batches.hpp): per-epoch orders and batch gathering.
#include <vigil/nn/batches.hpp>

#include <vigil/cpp/plugin.hpp>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

namespace vigil::nn {

Batches::Batches(const float *x, int64_t n, Shape sample_shape, int64_t batch_size, bool drop_last)
    : x_(x), n_(n), sample_(1), batch_(batch_size), drop_last_(drop_last), shape_(std::move(sample_shape)) {
    if (n < 0 || (n > 0 && !x)) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Batches: no samples given");
    if (batch_size < 1)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Batches: batch size must be at least 1, got " + std::to_string(batch_size));
    for (int64_t d : shape_) {
        if (d < 1) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Batches: sample dimensions must be positive");
        sample_ *= d;
    }
    in_order();
}

void Batches::shuffle(Generator &gen) { order_ = gen.permutation(n_); }

void Batches::in_order() {
    order_.resize(static_cast<size_t>(n_));
    std::iota(order_.begin(), order_.end(), int64_t(0));
}

int64_t Batches::count() const { return drop_last_ ? n_ / batch_ : (n_ + batch_ - 1) / batch_; }

int64_t Batches::size(int64_t b) const {
    if (b < 0 || b >= count())
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT,
                  "Batches: batch " + std::to_string(b) + " of " + std::to_string(count()) + " requested");
    return std::min(batch_, n_ - b * batch_);
}

std::vector<int64_t> Batches::indices(int64_t b) const {
    const int64_t m = size(b);
    return std::vector<int64_t>(order_.begin() + b * batch_, order_.begin() + b * batch_ + m);
}

Tensor Batches::batch(int64_t b, Device device) const {
    const int64_t m = size(b);
    Shape s{m};
    s.insert(s.end(), shape_.begin(), shape_.end());
    Tensor t = Tensor::empty(s);
    float *dst = t.data<float>();
    for (int64_t i = 0; i < m; ++i)
        std::memcpy(dst + i * sample_, x_ + order_[static_cast<size_t>(b * batch_ + i)] * sample_,
                    sizeof(float) * static_cast<size_t>(sample_));
    return t.to(device);
}

Tensor Batches::labels(int64_t b, const int32_t *labels, Device device) const {
    if (!labels) sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "Batches: no labels given");
    const int64_t m = size(b);
    Tensor t = Tensor::empty({m}, DType::i32);
    int32_t *dst = t.data<int32_t>();
    for (int64_t i = 0; i < m; ++i) dst[i] = labels[order_[static_cast<size_t>(b * batch_ + i)]];
    return t.to(device);
}

} // namespace vigil::nn
