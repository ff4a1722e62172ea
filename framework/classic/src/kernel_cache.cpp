// kernel_cache.cpp — KernelRowCache (kernel_cache.hpp): LRU rows of K, filled
// a GEMM block at a time on the compute backend.
#include <vigil/classic/kernel_cache.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace vigil::classic {

using sdk::fail;
using sdk::require;

namespace {

// Row storage: uninitialised (pages are touched as rows fill) and, on Linux,
// 2 MiB-aligned with transparent huge pages requested, so filling a 100+ MiB
// cache costs tens of page faults instead of tens of thousands.
float *allocate_rows(size_t count) {
    const size_t bytes = std::max<size_t>(count, 1) * sizeof(float);
#ifdef __linux__
    const size_t huge = size_t(2) << 20;
    if (bytes >= huge) {
        const size_t rounded = (bytes + huge - 1) / huge * huge;
        if (void *p = std::aligned_alloc(huge, rounded)) {
            madvise(p, rounded, MADV_HUGEPAGE);  // a hint: ignored where THP is off
            return static_cast<float *>(p);
        }
        throw std::bad_alloc();
    }
#endif
    if (void *p = std::malloc(bytes)) return static_cast<float *>(p);
    throw std::bad_alloc();
}

} // namespace

void KernelRowCache::FreeRows::operator()(float *p) const { std::free(p); }

KernelRowCache::KernelRowCache(compute::Backend &backend, const sdk::Host &host, const float *x, int64_t n, int64_t d,
                               const KernelSpec &k, const std::vector<float> &centre, const KernelCacheOptions &opt)
    : backend_(backend), host_(host), x_(x), n_(n), d_(d), k_(k) {
    require(n >= 1 && d >= 1, "kernel cache: needs at least one sample with at least one feature");
    require(centre.empty() || static_cast<int64_t>(centre.size()) == d, "kernel cache: centre has the wrong length",
            VIGIL_ERR_INTERNAL);
    require(std::isfinite(opt.cache_mib) && opt.cache_mib > 0, "cache_size must be a positive number of MiB");
    const float *src = x;
    if (!centre.empty()) {
        centred_.reset(new float[static_cast<size_t>(n * d)]);  // no zero fill: written right away
        centre_rows(x, n, d, centre, centred_.get());
        src = centred_.get();
    }
    norms_.resize(static_cast<size_t>(n));
    squared_norms(src, n, d, norms_.data());
    diag_.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) diag_[static_cast<size_t>(i)] = kernel_self(k, norms_[static_cast<size_t>(i)]);
    for (double v : diag_)
        if (!std::isfinite(v) || !std::isfinite(static_cast<float>(v)))
            fail(VIGIL_ERR_INVALID_ARGUMENT, kernel_overflow_message(k));
    resident_ = backend.upload(src, n, d);

    // Rows that fit in the budget, at least 2 (a working pair), at most n.
    const double row_bytes = 4.0 * static_cast<double>(n);
    const double fit = std::floor(opt.cache_mib * 1048576.0 / row_bytes);
    capacity_ = static_cast<int64_t>(std::min(static_cast<double>(n), std::max(2.0, fit)));
    capacity_ = std::min(capacity_, n);
    block_ = std::max<int64_t>(1, std::min(opt.block_rows > 0 ? opt.block_rows : 64, n));
    rows_.reset(allocate_rows(static_cast<size_t>(capacity_ * n)));
    slot_of_.assign(static_cast<size_t>(n), -1);
    row_of_.assign(static_cast<size_t>(capacity_), -1);
    prev_.assign(static_cast<size_t>(capacity_), -1);
    next_.assign(static_cast<size_t>(capacity_), -1);
    gather_.assign(static_cast<size_t>(block_ * d), 0.0f);
    dots_.resize(static_cast<size_t>(block_ * n));
    mark_.assign(static_cast<size_t>(n), 0);
}

KernelRowCache::~KernelRowCache() = default;

void KernelRowCache::unlink(int64_t s) {
    const int64_t p = prev_[s], q = next_[s];
    if (p >= 0) next_[p] = q; else head_ = q;
    if (q >= 0) prev_[q] = p; else tail_ = p;
    prev_[s] = next_[s] = -1;
}

void KernelRowCache::touch(int64_t s) {
    if (head_ == s) return;
    if (prev_[s] >= 0 || next_[s] >= 0 || tail_ == s) unlink(s);
    prev_[s] = -1;
    next_[s] = head_;
    if (head_ >= 0) prev_[head_] = s;
    head_ = s;
    if (tail_ < 0) tail_ = s;
}

int64_t KernelRowCache::take_slot() {
    if (used_ < capacity_) return used_++;
    const int64_t s = tail_;
    unlink(s);
    slot_of_[static_cast<size_t>(row_of_[s])] = -1;
    row_of_[s] = -1;
    return s;
}

const float *KernelRowCache::row(int64_t i, const Hints *hints) {
    if (i < 0 || i >= n_) fail(VIGIL_ERR_INTERNAL, "kernel cache: row " + std::to_string(i) + " out of range");
    int64_t s = slot_of_[static_cast<size_t>(i)];
    if (s >= 0) {
        ++hits_;
        touch(s);
    } else {
        ++misses_;
        fill(i, hints);
        s = slot_of_[static_cast<size_t>(i)];
    }
    return rows_.get() + s * n_;
}

void KernelRowCache::fill(int64_t i, const Hints *hints) {
    host_.check_cancelled();
    if (++stamp_ == 0) {  // wrapped: forget old marks
        std::fill(mark_.begin(), mark_.end(), 0u);
        stamp_ = 1;
    }
    // Rows stored by this block: at most capacity − 1, so the most recently
    // returned row survives (the pair contract of KernelSource::row).
    const int64_t limit = std::max<int64_t>(1, std::min(block_, capacity_ - 1));
    want_.clear();
    want_.push_back(i);
    mark_[static_cast<size_t>(i)] = stamp_;
    if (hints && *hints && limit > 1) {
        hint_buf_.clear();
        (*hints)(2 * limit, hint_buf_);
        for (int64_t c : hint_buf_) {
            if (static_cast<int64_t>(want_.size()) >= limit) break;
            if (c < 0 || c >= n_ || slot_of_[static_cast<size_t>(c)] >= 0 || mark_[static_cast<size_t>(c)] == stamp_)
                continue;
            mark_[static_cast<size_t>(c)] = stamp_;
            want_.push_back(c);
        }
    }
    const int64_t rows = static_cast<int64_t>(want_.size());
    const float *src = centred_ ? centred_.get() : x_;
    for (int64_t r = 0; r < rows; ++r)
        std::copy(src + want_[r] * d_, src + (want_[r] + 1) * d_, gather_.data() + r * d_);
    // Always the full block shape (rows past `rows` are padding): see the header.
    backend_.matmul_abt(gather_.data(), block_, *resident_, dots_.data());
    ++gemms_;

    // Slots: the requested row last, so it ends up most recently used.
    std::vector<int64_t> slots(static_cast<size_t>(rows));
    for (int64_t r = rows - 1; r >= 0; --r) {
        const int64_t s = take_slot();
        row_of_[s] = want_[r];
        slot_of_[static_cast<size_t>(want_[r])] = s;
        touch(s);
        slots[static_cast<size_t>(r)] = s;
    }
    int bad = 0;
    const int threads = static_cast<int>(host_.threads());
    // Rows are independent (each written by one thread, same arithmetic), so a
    // dynamic schedule cannot change results; it keeps a preempted thread on a
    // busy machine from holding up the others.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : bad)
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t ri = want_[r];
        float *out = rows_.get() + slots[static_cast<size_t>(r)] * n_;
        if (!kernel_from_dots(k_, dots_.data() + r * n_, n_, norms_[static_cast<size_t>(ri)], norms_.data(), out)) ++bad;
        out[ri] = static_cast<float>(diag_[static_cast<size_t>(ri)]);  // K_ii exactly as the diagonal says
    }
    if (bad) fail(VIGIL_ERR_INVALID_ARGUMENT, kernel_overflow_message(k_));
    rows_computed_ += rows;
}

} // namespace vigil::classic
