// knn_search.cpp — Backend::knn_search (backend.hpp), written once for every
// backend on top of its matmul_abt and row_sqnorms: methods that need the
// neighbours themselves, not only their distances (lof), get them on cpu and
// cuda alike, with the distances from sqdist() and the selection on the host.
#include <vigil/compute/backend.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil::compute {

void Backend::knn_search(const Resident &r, const float *q, int64_t m, int k, float *dist, int64_t *index) {
    const int64_t n = r.rows(), d = r.cols();
    if (k < 1 || k > n)
        sdk::fail(VIGIL_ERR_INVALID_ARGUMENT, "knn: k = " + std::to_string(k) + " must be in 1.." + std::to_string(n));
    if (m <= 0) return;
    // Scratch: QB x n dot products (64 MiB by default, whatever m is).
    const int64_t QB = std::max<int64_t>(
        1, std::min<int64_t>(m, blocks_.query_rows > 0 ? blocks_.query_rows : (int64_t(1) << 24) / n));
    std::vector<float> dots(static_cast<size_t>(QB * n));
    for (int64_t q0 = 0; q0 < m; q0 += QB) {
        host_.check_cancelled();
        const int64_t mb = std::min(QB, m - q0);
        sqdist(r, q + q0 * d, mb, dots.data());
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(host_.threads()))
        for (int64_t i = 0; i < mb; ++i) {
            // (distance, index) pairs: a max-heap of the k best, ties by index.
            std::vector<std::pair<float, int64_t>> heap;
            heap.reserve(static_cast<size_t>(k));
            const float *row = dots.data() + i * n;
            for (int64_t j = 0; j < n; ++j) {
                const std::pair<float, int64_t> c(row[j], j);
                if (static_cast<int>(heap.size()) < k) {
                    heap.push_back(c);
                    std::push_heap(heap.begin(), heap.end());
                } else if (c < heap.front()) {
                    std::pop_heap(heap.begin(), heap.end());
                    heap.back() = c;
                    std::push_heap(heap.begin(), heap.end());
                }
            }
            std::sort_heap(heap.begin(), heap.end());
            for (int j = 0; j < k; ++j) {
                dist[(q0 + i) * k + j] = heap[j].first;
                index[(q0 + i) * k + j] = heap[j].second;
            }
        }
        host_.progress(static_cast<uint64_t>(q0 + mb), static_cast<uint64_t>(m), "knn");
    }
}

} // namespace vigil::compute
