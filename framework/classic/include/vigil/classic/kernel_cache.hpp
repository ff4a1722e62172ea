// kernel_cache.hpp — rows of the training kernel matrix K for the SMO solver:
// a bounded cache whose missing rows are computed in blocks by one GEMM on
// the compute backend.
//
// Why this file exists: the solver touches K one or two rows per iteration,
// and the full N x N matrix does not fit in memory for large N. libsvm keeps
// an LRU cache of rows computed one kernel value at a time; here a missing
// row is computed together with other rows the solver is likely to ask for
// soon (its next-best working-set candidates, or the next rows of a pass),
// as one (B x D) · (N x D)ᵀ GEMM through Backend::matmul_abt against the
// training set uploaded once as a Resident. One row alone is a matrix-vector
// product that reads the whole training set for 2·N·D flops; B rows read it
// once for B times the work, so each row costs far less.
//
// Bounded memory: cache_mib MiB of float rows (at least 2 rows, at most N),
// plus a B x N scratch and a B x D gather buffer; the training set lives in
// the Resident (and, for rbf, one centred copy used to gather the GEMM's left
// operand).
//
// Determinism: every GEMM has the same shape, B x D times N x D (unused rows
// of a block are padding), so a row's values do not depend on how many rows
// were computed with it or on the cache size: a tiny cache and a huge one give
// bit-identical kernel rows, and with them identical solver results.
#pragma once

#include <vigil/classic/kernel.hpp>
#include <vigil/compute/backend.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace vigil::classic {

// Where the solver gets kernel rows from (the cache below, or a dense matrix in tests).
class KernelSource {
public:
    virtual ~KernelSource() = default;
    virtual int64_t size() const = 0;
    // K_ii for every i.
    virtual const std::vector<double> &diagonal() const = 0;
    // Hints: called only when the requested row is missing; appends up to
    // `want` row indices worth computing along with it, most useful first
    // (duplicates and cached rows are skipped by the callee).
    using Hints = std::function<void(int64_t want, std::vector<int64_t> &out)>;
    // Row i of K: size() floats, K(x_i, x_j) for every j in training order.
    // The pointer stays valid until row() has been called two more times, so
    // a caller may hold the rows of a working pair (i, j) at once.
    virtual const float *row(int64_t i, const Hints *hints = nullptr) = 0;
};

struct KernelCacheOptions {
    double cache_mib = 200;   // budget for cached rows (scikit-learn's cache_size default)
    int64_t block_rows = 64;  // rows per GEMM (capped at N)
};

class KernelRowCache final : public KernelSource {
public:
    // x: n x d training samples (row-major float32), borrowed for the cache's
    // lifetime. `centre` from kernel_centre(k, ...): rbf works on x − centre.
    KernelRowCache(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d,
                   const KernelSpec &k, const std::vector<float> &centre, const KernelCacheOptions &opt);
    ~KernelRowCache() override;
    KernelRowCache(const KernelRowCache &) = delete;
    KernelRowCache &operator=(const KernelRowCache &) = delete;

    int64_t size() const override { return n_; }
    const std::vector<double> &diagonal() const override { return diag_; }
    const float *row(int64_t i, const Hints *hints = nullptr) override;

    int64_t capacity_rows() const { return capacity_; }
    int64_t block_rows() const { return block_; }
    int64_t rows_computed() const { return rows_computed_; }  // rows stored after a GEMM (misses + prefetches)
    int64_t gemm_blocks() const { return gemms_; }
    int64_t hits() const { return hits_; }
    int64_t misses() const { return misses_; }

private:
    void fill(int64_t i, const Hints *hints);
    void touch(int64_t slot);   // move to the front (most recently used)
    void unlink(int64_t slot);
    int64_t take_slot();        // a free slot, or the least recently used one (evicted)

    compute::Backend &backend_;
    sdk::Host host_;
    const float *x_;             // the caller's samples (gather source unless centred)
    std::unique_ptr<float[]> centred_; // rbf: x − centre (gather source); null otherwise
    int64_t n_, d_;
    KernelSpec k_;
    std::unique_ptr<compute::Resident> resident_;
    std::vector<double> norms_, diag_;
    int64_t capacity_, block_;
    struct FreeRows {
        void operator()(float *p) const;
    };
    std::unique_ptr<float, FreeRows> rows_;  // capacity_ x n_ (see allocate_rows in the .cpp)
    std::vector<int64_t> slot_of_;        // row -> slot or -1
    std::vector<int64_t> row_of_;         // slot -> row or -1
    std::vector<int64_t> prev_, next_;    // LRU list over used slots
    int64_t head_ = -1, tail_ = -1, used_ = 0;
    std::vector<float> gather_, dots_;    // B x d, B x n
    std::vector<int64_t> want_, hint_buf_;
    std::vector<uint32_t> mark_;          // row -> stamp of the block being assembled
    uint32_t stamp_ = 0;
    int64_t rows_computed_ = 0, gemms_ = 0, hits_ = 0, misses_ = 0;
};

} // namespace vigil::classic
