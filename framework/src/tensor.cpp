// tensor.cpp — owning host tensor (see tensor.hpp).
#include <vigil/framework/error.hpp>
#include <vigil/framework/tensor.hpp>

#include <cstring>
#include <stdexcept>

namespace vigil {

size_t dtype_size(vigil_dtype t) {
    switch (t) {
    case VIGIL_DTYPE_FLOAT32: return 4;
    case VIGIL_DTYPE_UINT8: return 1;
    case VIGIL_DTYPE_INT32: return 4;
    case VIGIL_DTYPE_FLOAT64: return 8;
    default: throw Error(ErrorKind::Internal, "unknown dtype " + std::to_string(t));
    }
}

const char *dtype_name(vigil_dtype t) {
    switch (t) {
    case VIGIL_DTYPE_FLOAT32: return "float32";
    case VIGIL_DTYPE_UINT8: return "uint8";
    case VIGIL_DTYPE_INT32: return "int32";
    case VIGIL_DTYPE_FLOAT64: return "float64";
    default: return "unknown";
    }
}

Tensor::Tensor(vigil_dtype dtype, std::vector<int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
    if (shape_.empty() || shape_.size() > VIGIL_MAX_RANK)
        throw Error(ErrorKind::Internal, "tensor rank must be 1.." + std::to_string(VIGIL_MAX_RANK));
    for (auto d : shape_)
        if (d < 0) throw Error(ErrorKind::Internal, "negative tensor dimension");
    bytes_.assign(static_cast<size_t>(numel()) * dtype_size(dtype_), 0);
}

int64_t Tensor::sample_size() const {
    int64_t s = 1;
    for (size_t i = 1; i < shape_.size(); ++i) s *= shape_[i];
    return s;
}

std::string Tensor::shape_str() const {
    std::string s;
    for (size_t i = 0; i < shape_.size(); ++i) s += (i ? "x" : "") + std::to_string(shape_[i]);
    return s;
}

vigil_tensor Tensor::view() const {
    vigil_tensor v{};
    v.data = const_cast<unsigned char *>(bytes_.data());
    v.dtype = dtype_;
    v.device_type = VIGIL_DEVICE_CPU;
    v.device_index = 0;
    v.rank = rank();
    for (int i = 0; i < rank(); ++i) v.shape[i] = shape_[i];
    return v;
}

Tensor Tensor::slice(int64_t begin, int64_t end) const {
    if (begin < 0 || end < begin || end > samples()) throw Error(ErrorKind::Internal, "tensor slice out of range");
    auto shape = shape_;
    shape[0] = end - begin;
    Tensor out(dtype_, shape);
    const size_t row = static_cast<size_t>(sample_size()) * dtype_size(dtype_);
    if (row && end > begin) std::memcpy(out.raw(), bytes_.data() + begin * row, (end - begin) * row);
    return out;
}

Tensor Tensor::gather(const std::vector<int64_t> &index) const {
    auto shape = shape_;
    shape[0] = static_cast<int64_t>(index.size());
    Tensor out(dtype_, shape);
    const size_t row = static_cast<size_t>(sample_size()) * dtype_size(dtype_);
    for (size_t i = 0; i < index.size(); ++i) {
        if (index[i] < 0 || index[i] >= samples()) throw Error(ErrorKind::Internal, "tensor gather out of range");
        std::memcpy(out.data<unsigned char>() + i * row, bytes_.data() + index[i] * row, row);
    }
    return out;
}

Tensor Tensor::to_float32() const {
    if (dtype_ == VIGIL_DTYPE_FLOAT32) return *this;
    Tensor out(VIGIL_DTYPE_FLOAT32, shape_);
    float *o = out.data<float>();
    const int64_t n = numel();
    switch (dtype_) {
    case VIGIL_DTYPE_UINT8: for (int64_t i = 0; i < n; ++i) o[i] = data<uint8_t>()[i]; break;
    case VIGIL_DTYPE_INT32: for (int64_t i = 0; i < n; ++i) o[i] = static_cast<float>(data<int32_t>()[i]); break;
    case VIGIL_DTYPE_FLOAT64: for (int64_t i = 0; i < n; ++i) o[i] = static_cast<float>(data<double>()[i]); break;
    default: throw Error(ErrorKind::Internal, "cannot convert dtype to float32");
    }
    return out;
}

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
    Tensor out;
    out.dtype_ = dtype_;
    out.shape_ = std::move(shape);
    if (out.numel() != numel()) throw Error(ErrorKind::Internal, "reshape changes the element count");
    out.bytes_ = bytes_;
    return out;
}

Tensor Tensor::concat(const Tensor &a, const Tensor &b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    if (a.dtype_ != b.dtype_ || a.sample_shape() != b.sample_shape())
        throw_input("cannot concatenate data of shape " + a.shape_str() + " (" + dtype_name(a.dtype_) + ") with " +
                    b.shape_str() + " (" + dtype_name(b.dtype_) + "): per-sample shapes or types differ");
    auto shape = a.shape_;
    shape[0] += b.samples();
    Tensor out(a.dtype_, shape);
    std::memcpy(out.raw(), a.raw(), a.nbytes());
    std::memcpy(out.data<unsigned char>() + a.nbytes(), b.raw(), b.nbytes());
    return out;
}

} // namespace vigil
