#!/usr/bin/python3
"""gen_classic.py - reference values for the classic detectors and extractors
written in this folder's classic_reference.json (kept in the repo, so the C++
tests need no Python). Regenerate with Debian's python3-sklearn:

    /usr/bin/python3 tests/reference/gen_classic.py

Data: small seeded Gaussian sets, stored as the exact float32 values the
plugins receive. References:
  lof  sklearn LocalOutlierFactor(n_neighbors=5, novelty=True): -score_samples
  kde  sklearn KernelDensity(bandwidth=h): -score_samples for h = 0.8 and
       "scott"; here (10 points in 4-D) sklearn's tree sums are exact
  pca  sklearn PCA(n_components=c, svd_solver="full") reconstruction error
       ||x - inverse_transform(transform(x))||^2, c = 2 and c = 0.9 (variance)
  pca extractor  PCA(3).transform (and whiten=True), compared up to axis sign
  zca  U diag(1/sqrt(lambda + eps)) U^T (x - mu) in float64 numpy, eps = 0.01,
       covariance with 1/(n-1)
"""
import json
import os

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import KernelDensity, LocalOutlierFactor

rng = np.random.default_rng(7)
train = rng.normal(size=(40, 4)).astype(np.float32)
train[:, 1] = (0.8 * train[:, 0] + 0.3 * train[:, 1]).astype(np.float32)  # correlated features
test = np.concatenate([rng.normal(size=(6, 4)), rng.normal(size=(4, 4)) * 3 + 2]).astype(np.float32)
tr, te = train.astype(np.float64), test.astype(np.float64)

out = {"train": train.tolist(), "test": test.tolist()}
out["lof_k5"] = (-LocalOutlierFactor(n_neighbors=5, novelty=True).fit(tr).score_samples(te)).tolist()
out["kde_h0.8"] = (-KernelDensity(bandwidth=0.8).fit(tr).score_samples(te)).tolist()
out["kde_scott"] = (-KernelDensity(bandwidth="scott").fit(tr).score_samples(te)).tolist()
for name, c in (("pca_c2", 2), ("pca_v0.9", 0.9)):
    p = PCA(n_components=c, svd_solver="full").fit(tr)
    out[name] = ((te - p.inverse_transform(p.transform(te))) ** 2).sum(axis=1).tolist()
    out[name + "_k"] = int(p.n_components_)
out["pca3"] = PCA(n_components=3, svd_solver="full").fit(tr).transform(te).tolist()
out["pca3_whiten"] = PCA(n_components=3, whiten=True, svd_solver="full").fit(tr).transform(te).tolist()
mu = tr.mean(axis=0)
lam, u = np.linalg.eigh(np.cov(tr, rowvar=False))
w = u @ np.diag(1 / np.sqrt(lam + 0.01)) @ u.T
out["zca_eps0.01"] = ((te - mu) @ w.T).tolist()

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classic_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
