// batches.hpp — mini-batches of a training set held in host memory, in a
// seeded random order per epoch: the loop every deep plugin's fit runs,
// written once.
//
//   nn::Batches data(x.f32(), x.samples(), {1, 28, 28}, 200);
//   for (int64_t e = 0; e < epochs; ++e) {
//       data.shuffle(gen);                        // or data.in_order()
//       for (int64_t b = 0; b < data.count(); ++b) {
//           const nn::Tensor xb = data.batch(b, nn::variant_device());  // [≤200, 1, 28, 28]
//           ...
//       }
//   }
//
// The samples are borrowed (the caller keeps them alive and unchanged);
// each batch is gathered into a fresh tensor on the requested device. The
// order is a Fisher–Yates permutation drawn from the caller's Generator, so
// a seed gives the same batches on every backend and standard library. The
// last batch holds the remainder (n mod batch_size samples) unless
// drop_last, as torch's DataLoader.
#pragma once

#include <vigil/nn/random.hpp>
#include <vigil/nn/tensor.hpp>

#include <cstdint>
#include <vector>

namespace vigil::nn {

class Batches {
public:
    // x: n samples of prod(sample_shape) floats each, row after row.
    Batches(const float *x, int64_t n, Shape sample_shape, int64_t batch_size, bool drop_last = false);

    void shuffle(Generator &gen);  // a new random order (call once per epoch)
    void in_order();               // 0, 1, ..., n − 1

    int64_t samples() const { return n_; }
    int64_t count() const;         // batches per epoch
    int64_t size(int64_t b) const; // samples in batch b

    // Batch b as [size(b), sample_shape...] float32 on `device`.
    Tensor batch(int64_t b, Device device = Device::cpu) const;
    // Positions (into the n samples) of batch b, e.g. to look up labels.
    std::vector<int64_t> indices(int64_t b) const;
    // labels[indices(b)] as an int32 [size(b)] tensor on `device`.
    Tensor labels(int64_t b, const int32_t *labels, Device device = Device::cpu) const;

private:
    const float *x_;
    int64_t n_, sample_, batch_;
    bool drop_last_;
    Shape shape_;
    std::vector<int64_t> order_;
};

} // namespace vigil::nn
