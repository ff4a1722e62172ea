// forest.hpp — the isolation forest's flat tree layout and the walk of one
// sample down one tree.
//
// Why this file exists: the same walk runs in three places — the cpu scorer
// (score_cpu.cpp), the CUDA kernel (walk_kernel.cu) and the fit's checks — so
// it is written once here as a __host__ __device__ function over plain
// arrays (no std containers: nvcc compiles this header into device code).
// Both variants therefore take exactly the same comparisons and return the
// same float for every (sample, tree); only the order of the final sum is
// the caller's business (see scorer.hpp).
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define VIGIL_HD __host__ __device__
#else
#define VIGIL_HD
#endif

namespace vigil::iforest {

// One node of a tree, 12 bytes. Nodes of a tree are stored contiguously,
// root first; child indices are relative to the tree's first node and always
// larger than the parent's (so a walk ends, whatever a state file holds).
//   internal (feature >= 0): go to `left` when x[feature] < value, else to left + 1
//   external (feature <  0): value = depth + c(size), the path length h(x) the
//                            paper assigns to every sample that ends here
struct Node {
    int32_t feature;
    float value;
    int32_t left;  // 0 for external nodes
};
static_assert(sizeof(Node) == 12, "Node is saved byte for byte");

// h(x) of sample x (all its features, x[0..d)) in the tree whose root is tree[0].
VIGIL_HD inline float path_length(const Node *tree, const float *x) {
    int32_t i = 0;
    for (;;) {
        const Node n = tree[i];
        if (n.feature < 0) return n.value;
        i = n.left + (x[n.feature] < n.value ? 0 : 1);
    }
}

} // namespace vigil::iforest
