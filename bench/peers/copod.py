#!/usr/bin/python3
"""copod.py — NumPy peer of Vigil's `copod`: COPOD (Li et al., ICDM 2020, Algorithm 1), written for this benchmark.

There is no PyOD on this machine, so this is our own vectorised NumPy
implementation of the paper's method, with the same definitions as
plugins/detectors/copod/copod.cpp (checked against the brute-force reference
in tests/reference/gen_copod.py):

  fit:   each training column sorted (np.sort); skewness b = m3 / m2**1.5 with
         population moments (scipy.stats.skew, bias=True), 0 for a constant column
  score: per feature, with N training samples and the scored value x added,
           F(x) = (1 + #{train <= x}) / (N + 1),  G(x) = (1 + #{train >= x}) / (N + 1)
         (counts by np.searchsorted, side="right" and side="left"), and
           O(x) = max(sum -log F, sum -log G, sum -log(F if b < 0 else G))

How this differs from PyOD's COPOD (pyod.models.copod, for reference only):
PyOD's decision_function computes the ECDFs over the training set plus the
whole test batch (so a score depends on the other test samples), uses the
left+right sum for a zero skewness, and takes max(skew-corrected,
(left + right) / 2) per feature before summing; the paper's Algorithm 1, which
this follows, takes the maximum of the three sums.
"""
import common


def add_args(p):
    pass


def describe(a):
    return "numpy COPOD (paper Algorithm 1, ECDF of the training set plus the scored point)"


def fit(train, a, seed):
    import numpy as np
    cols = np.ascontiguousarray(np.asarray(train, dtype=np.float32).T)
    n = cols.shape[1]
    x = cols.astype(np.float64)
    mean = x.mean(axis=1, keepdims=True)
    m2 = ((x - mean) ** 2).mean(axis=1)
    m3 = ((x - mean) ** 3).mean(axis=1)
    skew = np.zeros(cols.shape[0])
    nz = m2 > 0
    skew[nz] = m3[nz] / m2[nz] ** 1.5
    return {"sorted": np.sort(cols, axis=1), "left": skew < 0, "n": n}


def score(model, test, a):
    import numpy as np
    sorted_cols, left_side, n = model["sorted"], model["left"], model["n"]
    cols = np.ascontiguousarray(np.asarray(test, dtype=np.float32).T)
    m = cols.shape[1]
    pl, pr, ps = np.zeros(m), np.zeros(m), np.zeros(m)
    log_top = np.log(n + 1.0)
    for j in range(cols.shape[0]):
        le = np.searchsorted(sorted_cols[j], cols[j], side="right")
        ge = n - np.searchsorted(sorted_cols[j], cols[j], side="left")
        tl = log_top - np.log1p(le)
        tr = log_top - np.log1p(ge)
        pl += tl
        pr += tr
        ps += tl if left_side[j] else tr
    return np.maximum(np.maximum(pl, pr), ps)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
