// topk.hpp — the k smallest values of a stream, kept in a bounded max-heap.
//
// Why this file exists: nearest-neighbour search keeps, per query, the k
// smallest distances seen so far while distance blocks stream past; the cpu
// backend and any method needing "k smallest" share this one helper.
#pragma once

#include <algorithm>
#include <cstdint>

namespace vigil::compute {

// heap[0..k) is a max-heap initialised with +inf; offer() keeps the k smallest.
inline void topk_offer(float *heap, int k, float v) {
    if (!(v < heap[0])) return;
    std::pop_heap(heap, heap + k);
    heap[k - 1] = v;
    std::push_heap(heap, heap + k);
}

// Heap contents in ascending order.
inline void topk_finish(float *heap, int k) { std::sort_heap(heap, heap + k); }

} // namespace vigil::compute
