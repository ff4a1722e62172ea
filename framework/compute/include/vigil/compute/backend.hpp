// backend.hpp — the compute backend a plugin's method source is written against.
//
// Why this file exists: each method folder builds one library per backend
// from the same source (DESIGN.md, "CPU and GPU implementations"). The method
// calls this interface; vigil_compute_cpu implements it on oneDNN and
// vigil_compute_cuda on cuBLAS plus small CUDA kernels. Which one a plugin
// library gets is decided at link time by vigil_add_plugin(... COMPUTE).
//
// All pointers passed in are host memory, row-major. A backend may keep
// "resident" matrices (e.g. the training set on the GPU) between calls.
#pragma once

#include <vigil/cpp/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace vigil::compute {

// Which backend this library was linked with, and its probe (vigil_plugin.h).
extern const vigil_backend kBackend;
int32_t probe(char *reason, size_t reason_size) noexcept;

// A matrix uploaded once to the backend's memory (rows x cols, float32).
class Resident {
public:
    virtual ~Resident() = default;
    virtual int64_t rows() const = 0;
    virtual int64_t cols() const = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char *name() const = 0;

    // Copy a host matrix into backend memory.
    virtual std::unique_ptr<Resident> upload(const float *data, int64_t rows, int64_t cols) = 0;

    // out (m x R.rows) = A (m x R.cols, host) · Rᵀ. Deterministic for a given m.
    virtual void matmul_abt(const float *a, int64_t m, const Resident &r, float *out) = 0;

    // For each of the m query rows of q (m x R.cols, host), the k smallest
    // squared Euclidean distances to the rows of R, ascending, into
    // out (m x k). Work is blocked so memory stays bounded whatever R.rows.
    // If exclude_self is true, q must be R itself (m == R.rows) and each row's
    // zero distance to itself is skipped (leave-one-out, for training scores).
    virtual void knn_sqdist(const Resident &r, const float *q, int64_t m, int k, float *out) = 0;
};

// The backend of this library, sized by the host's thread budget.
// Throws vigil::sdk::Error(VIGIL_ERR_NO_DEVICE) when the device is unusable.
std::unique_ptr<Backend> make_backend(const vigil::sdk::Host &host);

} // namespace vigil::compute

// Declare a plugin whose backend is the one this library was linked with.
#define VIGIL_VARIANT_PLUGIN(Class, NAME, VERSION, DESCRIPTION, SCHEMA)                    \
    VIGIL_PLUGIN_EX(Class, NAME, VERSION, DESCRIPTION, SCHEMA, ::vigil::compute::kBackend, \
                    &::vigil::compute::probe)
