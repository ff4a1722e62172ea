// backend.hpp — the compute backend a plugin's method source is written against.
//
// Why this file exists: each method folder builds one library per backend
// from the same source (DESIGN.md, "CPU and GPU implementations"). The method
// calls this interface; vigil_compute_cpu implements it on oneDNN + OpenMP and
// vigil_compute_cuda on cuBLAS plus small CUDA kernels. Which one a plugin
// library gets is decided at link time by vigil_add_plugin(... COMPUTE), and
// VIGIL_VARIANT_PLUGIN below fills the descriptor's backend and probe from it.
//
// Conventions: every pointer passed in is host memory, row-major float32, and
// is not kept after the call returns. A backend keeps "resident" matrices
// (e.g. the training set, uploaded to the GPU once) between calls. Failures
// are thrown as vigil::sdk::Error (VIGIL_ERR_NO_DEVICE, VIGIL_ERR_OUT_OF_MEMORY,
// VIGIL_ERR_CANCELLED, VIGIL_ERR_INVALID_ARGUMENT, VIGIL_ERR_INTERNAL with the
// library's own error text); the SDK's trampolines turn them into statuses.
// One Backend object is used by one thread at a time (the ABI's rule for
// handles); separate objects may run in parallel.
#pragma once

#include <vigil/cpp/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace vigil::compute {

// Which backend this library was linked with, and its probe (vigil_plugin.h):
// cpu always answers 100; cuda answers 200 when cudaGetDeviceCount finds a
// device, else 0 with reason "no usable CUDA device: <cuda error text>".
extern const vigil_backend kBackend;
int32_t probe(char *reason, size_t reason_size) noexcept;

// Throws vigil::sdk::Error(VIGIL_ERR_NO_DEVICE, <probe's reason>) when this
// variant cannot run here. A plugin with its own device code calls it in its
// constructor, so `create` fails cleanly instead of the first kernel launch.
inline void require_device() {
    char why[256];
    if (probe(why, sizeof why) == 0) sdk::fail(VIGIL_ERR_NO_DEVICE, why);
}

// A matrix uploaded once to the backend's memory (rows x cols, float32), with
// whatever the backend precomputes per row (knn_sqdist uses squared norms).
// Only the Backend that made it may use it; destroy it before that Backend.
class Resident {
public:
    virtual ~Resident() = default;
    virtual int64_t rows() const = 0;
    virtual int64_t cols() const = 0;
};

// Block sizes of knn_sqdist: at most query_rows rows of q against at most
// train_rows rows of R per distance block, so scratch memory is about
// query_rows * train_rows floats whatever the sizes of q and R. 0 = the
// backend's default (cpu 1024 x 4096, cuda 2048 x 8192). Results do not
// depend on the blocking beyond float rounding of the dot products.
struct KnnBlocks {
    int64_t query_rows = 0;
    int64_t train_rows = 0;
};

class Backend {
public:
    explicit Backend(const sdk::Host &host) : host_(host) {}
    virtual ~Backend() = default;
    virtual const char *name() const = 0;

    // Copy a host matrix (rows x cols) into backend memory.
    // Throws INVALID_ARGUMENT for rows < 0, cols < 1, or sizes the backend's
    // libraries cannot index (cuBLAS: cols and rows must fit in int).
    virtual std::unique_ptr<Resident> upload(const float *data, int64_t rows, int64_t cols) = 0;

    // out (m x R.rows) = A (m x R.cols) · Rᵀ. Deterministic for a given m and
    // thread budget. m may be 0.
    virtual void matmul_abt(const float *a, int64_t m, const Resident &r, float *out) = 0;

    // For each of the m query rows of q (m x R.cols), the k smallest squared
    // Euclidean distances to the rows of R, ascending, into out (m x k).
    // Squared distances are ‖q‖² + ‖t‖² − 2 q·t (norms in double, rounded to
    // float; dot products by the backend's float GEMM), clamped at 0.
    // Requires 1 <= k <= R.rows (INVALID_ARGUMENT otherwise; the cuda backend
    // also needs k <= kMaxCudaK). Blocked as set_knn_blocks says; between
    // blocks it checks the host's cancellation (throws VIGIL_ERR_CANCELLED) and
    // reports progress (done/total query rows, label "knn").
    virtual void knn_sqdist(const Resident &r, const float *q, int64_t m, int k, float *out) = 0;

    // ‖row‖² of every row of R (R.rows floats into out): the norms knn_sqdist
    // uses, accumulated in double and rounded to float.
    virtual void row_sqnorms(const Resident &r, float *out) = 0;

    // out (m x R.rows) = squared Euclidean distances from each row of q
    // (m x R.cols) to each row of R, as knn_sqdist computes them (GEMM plus
    // norms, clamped at 0). The caller blocks m to bound out's size.
    // Shared implementation (common/sqdist.cpp) on matmul_abt and row_sqnorms.
    void sqdist(const Resident &r, const float *q, int64_t m, float *out);

    // For each of the m query rows of q, its k nearest rows of R: squared
    // distances ascending into dist (m x k) and their row indices into index
    // (m x k); ties are broken by the smaller index, so results are
    // deterministic. Distances are computed as in knn_sqdist. Requires
    // 1 <= k <= R.rows. The shared implementation (common/knn_search.cpp) runs
    // the backend's matmul_abt on blocks of query rows against all of R (scratch
    // about query_rows x R.rows floats, query_rows from set_knn_blocks, default
    // max(1, 2^24 / R.rows)) and selects on the host; it checks cancellation and
    // reports progress (label "knn") between blocks.
    virtual void knn_search(const Resident &r, const float *q, int64_t m, int k, float *dist, int64_t *index);

    // Override knn_sqdist's block sizes (0 keeps the default for that axis).
    void set_knn_blocks(KnnBlocks b) { blocks_ = b; }
    KnnBlocks knn_blocks() const { return blocks_; }

protected:
    sdk::Host host_;  // cancellation, progress and thread budget of the plugin object
    KnnBlocks blocks_;
};

// Largest k the cuda backend's knn_sqdist supports (its selection keeps
// per-thread sorted lists of k entries).
constexpr int kMaxCudaK = 1024;

// The backend of this library for one plugin object, using the host's
// services: thread budget (Host::threads, cpu), cancellation and progress.
// Throws vigil::sdk::Error(VIGIL_ERR_NO_DEVICE, <probe's reason>) when the
// device is unusable.
std::unique_ptr<Backend> make_backend(const vigil::sdk::Host &host);

} // namespace vigil::compute

// Declare a plugin whose backend is the one this library was linked with.
#define VIGIL_VARIANT_PLUGIN(Class, NAME, VERSION, DESCRIPTION, SCHEMA)                    \
    VIGIL_PLUGIN_EX(Class, NAME, VERSION, DESCRIPTION, SCHEMA, ::vigil::compute::kBackend, \
                    &::vigil::compute::probe)
