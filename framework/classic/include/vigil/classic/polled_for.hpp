// polled_for.hpp — an OpenMP loop over independent items that polls the
// host's cancellation and reports progress from the calling thread.
//
// Why this file exists: iforest (one item = one tree; one item = 64 samples
// when scoring) and copod (one item = 16 features; 64 samples) need it. One parallel region per call, items
// handed out dynamically: on a busy machine a fork/join per block of work
// costs a scheduler time slice whenever a worker thread is not running, and a
// static split makes everyone wait for a preempted thread. Results never
// depend on which thread ran an item (callers write per-item outputs only).
#pragma once

#include <vigil/cpp/plugin.hpp>

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>

namespace vigil::classic {

// Runs body(item) for item = 0 .. count-1 on up to `threads` threads. Thread 0
// (the caller) checks host.cancelled() after each of its items and reports
// host.progress(units(done), total, label), done = items finished so far;
// the last report is (total, total). Once cancelled, or once a body threw, no
// further item starts; then the first exception is rethrown, or
// Error(VIGIL_ERR_CANCELLED) thrown. Host services are called from the
// calling thread only.
template <class Units, class Body>
void polled_for(const sdk::Host &host, unsigned threads, int64_t count, const char *label, uint64_t total,
                Units units, Body body) {
    std::atomic<int64_t> next{0}, done{0};
    std::atomic<bool> stop{false}, cancelled{false};
    std::exception_ptr error;
    uint64_t reported = UINT64_MAX;
    const int team = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, count)));
#pragma omp parallel num_threads(team)
    {
        const bool caller = omp_get_thread_num() == 0;
        while (!stop.load(std::memory_order_relaxed)) {
            const int64_t item = next.fetch_add(1);
            if (item >= count) break;
            try {
                body(item);
            } catch (...) {
#pragma omp critical(vigil_polled_for_error)
                if (!error) error = std::current_exception();
                stop = true;
            }
            const int64_t finished = done.fetch_add(1) + 1;
            if (caller) {
                if (host.cancelled()) {
                    cancelled = true;
                    stop = true;
                }
                reported = units(finished);
                host.progress(reported, total, label);
            }
        }
    }
    if (error) std::rethrow_exception(error);
    if (cancelled) sdk::fail(VIGIL_ERR_CANCELLED, "cancelled by the host");
    if (reported != total) host.progress(total, total, label);
}

} // namespace vigil::classic
