// tensor.hpp — the host's owning tensor: samples × per-sample shape, in host memory.
//
// Why this file exists: readers produce data, extractors transform it and
// detectors consume it; all of them meet here. A Tensor owns its bytes and
// hands plugins borrowed vigil_tensor views (sdk/include/vigil/vigil_types.h).
#pragma once

#include <vigil/vigil_types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vigil {

size_t dtype_size(vigil_dtype t);
const char *dtype_name(vigil_dtype t);

class Tensor {
public:
    Tensor() = default;
    // Zero-filled tensor. shape[0] is the number of samples.
    Tensor(vigil_dtype dtype, std::vector<int64_t> shape);

    vigil_dtype dtype() const { return dtype_; }
    const std::vector<int64_t> &shape() const { return shape_; }
    int rank() const { return static_cast<int>(shape_.size()); }
    int64_t samples() const { return shape_.empty() ? 0 : shape_[0]; }
    int64_t sample_size() const;  // product of shape[1..]
    int64_t numel() const { return samples() * sample_size(); }
    size_t nbytes() const { return bytes_.size(); }
    bool empty() const { return shape_.empty(); }
    std::vector<int64_t> sample_shape() const { return {shape_.begin() + (shape_.empty() ? 0 : 1), shape_.end()}; }
    std::string shape_str() const;  // e.g. "60000x1x28x28"

    void *raw() { return bytes_.data(); }
    const void *raw() const { return bytes_.data(); }
    template <class T> T *data() { return reinterpret_cast<T *>(bytes_.data()); }
    template <class T> const T *data() const { return reinterpret_cast<const T *>(bytes_.data()); }

    // Borrowed C view for a plugin call; valid while this tensor lives unchanged.
    vigil_tensor view() const;

    // Copies of samples [begin, end) and of the samples at `index`.
    Tensor slice(int64_t begin, int64_t end) const;
    Tensor gather(const std::vector<int64_t> &index) const;
    // float32 copy (uint8/int32/float64 converted by value, no scaling).
    Tensor to_float32() const;
    // Same bytes, new per-sample shape with the same element count.
    Tensor reshaped(std::vector<int64_t> shape) const;
    // Samples of a followed by samples of b (same dtype and per-sample shape).
    static Tensor concat(const Tensor &a, const Tensor &b);

private:
    vigil_dtype dtype_ = VIGIL_DTYPE_FLOAT32;
    std::vector<int64_t> shape_;
    std::vector<unsigned char> bytes_;
};

} // namespace vigil
