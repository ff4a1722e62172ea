#!/usr/bin/python3
"""sklearn_fmnist.py — scikit-learn peers of Vigil's Fashion-MNIST one-vs-rest pipelines.

Same data and protocol as examples/quickstart.json: training images of the
normal class scaled to [0, 1] (float32, 784 features), all 10,000 test images,
label 1 = not the normal class. Methods:
  knn          NearestNeighbors(n_neighbors=k), score = distance to the k-th nearest
  mahalanobis  EmpiricalCovariance().fit(train).mahalanobis(test)
Prints one JSON object: auroc, fit_seconds, score_seconds, total_seconds.

Run with Debian's python3 (python3-sklearn 1.2, python3-numpy). Threads are
pinned to --threads (default 2) through OMP/OpenBLAS variables set before
numpy loads.
"""
import argparse
import gzip
import json
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--method", choices=["knn", "mahalanobis"], default="knn")
parser.add_argument("--normal", type=int, default=0, help="normal class (default 0)")
parser.add_argument("--k", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
from sklearn.covariance import EmpiricalCovariance  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402


def idx(name, offset):
    path = os.path.join(args.data, name)
    if not os.path.exists(path):
        sys.exit(f"sklearn_fmnist.py: missing {path} (install Debian's dataset-fashion-mnist)")
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


xtr = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
ytr = idx("train-labels-idx1-ubyte.gz", 8)
xte = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
yte = idx("t10k-labels-idx1-ubyte.gz", 8)
train = xtr[ytr == args.normal].astype(np.float32) / np.float32(255.0)
test = xte.astype(np.float32) / np.float32(255.0)
labels = (yte != args.normal).astype(int)

t0 = time.perf_counter()
if args.method == "knn":
    model = NearestNeighbors(n_neighbors=args.k).fit(train)
    t1 = time.perf_counter()
    scores = model.kneighbors(test)[0][:, -1]
    peer = f"sklearn.neighbors.NearestNeighbors(n_neighbors={args.k})"
else:
    model = EmpiricalCovariance().fit(train)
    t1 = time.perf_counter()
    scores = model.mahalanobis(test)
    peer = "sklearn.covariance.EmpiricalCovariance"
t2 = time.perf_counter()
print(json.dumps({"peer": peer, "normal": args.normal, "n_train": int(train.shape[0]), "n_test": int(test.shape[0]),
                  "auroc": roc_auc_score(labels, scores), "fit_seconds": t1 - t0, "score_seconds": t2 - t1,
                  "total_seconds": t2 - t0}))
