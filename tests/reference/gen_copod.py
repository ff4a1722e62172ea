#!/usr/bin/python3
"""gen_copod.py - reference COPOD scores for tests/detectors/copod_test.cpp.

Why this file exists: the copod plugin is checked against an independent
NumPy computation of the same definition (plugins/detectors/copod/copod.cpp):
COPOD (Li et al., ICDM 2020, Algorithm 1) scored against the training set,
with each scored value added to its feature's training column:

    F(x) = (1 + #{train <= x}) / (N + 1)      left tail, term -log F(x)
    G(x) = (1 + #{train >= x}) / (N + 1)      right tail, term -log G(x)
    skewness b = m3 / m2**1.5 (population moments, scipy.stats.skew with
    bias=True), b = 0 for a constant feature; skew-corrected term uses the
    left tail where b < 0, else the right tail
    score = max(sum of left terms, sum of right terms, sum of skew-corrected terms)

Counts are taken here by brute-force comparison (no sorting, no search), so
this is a different route to the same numbers than both the plugin (sorted
columns + binary search) and the NumPy peer bench/peers/copod.py
(np.searchsorted); the script also checks that the peer agrees.
There is no PyOD on this machine, and PyOD's COPOD would not be a reference
anyway: it computes the ECDF over training + the whole test batch and takes
a per-feature max before summing (see bench/peers/copod.py).

Run with Debian's NumPy:  /usr/bin/python3 tests/reference/gen_copod.py
It prints the C++ arrays that copod_test.cpp embeds (data on a 1/8 grid, so
every value is exact in float32 and ties are frequent).
"""
import os
import sys

import numpy as np


def reference_copod(train, test):
    train = np.asarray(train, dtype=np.float64)
    test = np.asarray(test, dtype=np.float64)
    n, d = train.shape
    mean = train.mean(axis=0)
    m2 = ((train - mean) ** 2).mean(axis=0)
    m3 = ((train - mean) ** 3).mean(axis=0)
    skew = np.zeros(d)
    nz = m2 > 0
    skew[nz] = m3[nz] / m2[nz] ** 1.5
    out = []
    for x in test:
        le = (train <= x).sum(axis=0)
        ge = (train >= x).sum(axis=0)
        left = -np.log((1.0 + le) / (n + 1.0))
        right = -np.log((1.0 + ge) / (n + 1.0))
        corrected = np.where(skew < 0, left, right)
        out.append((left.sum(), right.sum(), corrected.sum()))
    out = np.array(out)
    return out.max(axis=1), out, skew


def make_data():
    rng = np.random.RandomState(20200)
    n, m = 40, 12
    grid = lambda a: np.round(a * 8.0) / 8.0
    def columns(k):
        return np.stack([
            grid(rng.exponential(1.0, k)),          # right-skewed
            grid(-rng.exponential(2.0, k)),         # left-skewed
            np.full(k, 0.5),                        # constant (an image border)
            rng.randint(0, 4, k).astype(float),     # four values: many ties
            grid(rng.normal(3.0, 1.5, k)),          # roughly symmetric
        ], axis=1)
    train = columns(n)
    test = columns(m)
    # Edge cases: outside the range on both sides, exactly on the constant,
    # above and below it, equal to training values.
    test[0] = [-1.0, 1.0, 0.5, -1.0, 100.0]
    test[1] = [100.0, -100.0, 0.625, 5.0, -100.0]
    test[2] = train[3]
    test[3, 2] = 0.375
    return train.astype(np.float32), test.astype(np.float32)


def cxx(name, a):
    rows = ",\n    ".join(", ".join(repr(float(v)) for v in row) for row in np.atleast_2d(a))
    return f"const std::vector<float> {name} = {{\n    {rows}}};"


def main():
    train, test = make_data()
    scores, parts, skew = reference_copod(train, test)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "bench", "peers"))
    try:
        import copod as peer
        got = peer.score(peer.fit(train, None, 0), test, None)
        assert np.allclose(got, scores, rtol=1e-12, atol=0), (got, scores)
        print("// bench/peers/copod.py agrees with this reference (rtol 1e-12)")
    except ImportError:
        print("// bench/peers/copod.py not found; peer not checked")
    print(f"// numpy {np.__version__}; train {train.shape}, test {test.shape}")
    print("// skewness per feature: " + ", ".join(f"{s:.6g}" for s in skew))
    print(cxx("kTrain", train))
    print(cxx("kTest", test))
    print("const std::vector<double> kExpected = {" + ", ".join(f"{s:.17g}" for s in scores) + "};")
    print("// left, right, skew-corrected sums per test sample:")
    for p in parts:
        print("//   " + ", ".join(f"{v:.9g}" for v in p))


if __name__ == "__main__":
    main()
