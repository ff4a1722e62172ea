#!/usr/bin/python3
"""knn_sklearn.py — the scikit-learn peer of the quickstart pipeline.

Same data and protocol as examples/quickstart.json: Fashion-MNIST, training
images of the normal class scaled to [0, 1] (float32, flattened), all 10,000
test images, label 1 = not the normal class; NearestNeighbors(n_neighbors=5)
fitted on the training images, score = distance to the 5th nearest.
Prints one JSON object: auroc, fit_seconds, score_seconds, total_seconds.

Run with Debian's python3 (python3-sklearn 1.2, python3-numpy). Threads are
pinned to --threads (default 2) through OMP/OpenBLAS environment variables,
set before numpy loads.
"""
import argparse
import gzip
import json
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--normal", type=int, default=0, help="normal class (default 0)")
parser.add_argument("--k", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402


def idx(path, offset):
    if not os.path.exists(path):
        sys.exit(f"knn_sklearn.py: missing {path} (install Debian's dataset-fashion-mnist)")
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


d = args.data
xtr = idx(f"{d}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
ytr = idx(f"{d}/train-labels-idx1-ubyte.gz", 8)
xte = idx(f"{d}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
yte = idx(f"{d}/t10k-labels-idx1-ubyte.gz", 8)
train = (xtr[ytr == args.normal].astype(np.float32) / 255.0).astype(np.float32)
test = (xte.astype(np.float32) / 255.0).astype(np.float32)
labels = (yte != args.normal).astype(int)

t0 = time.perf_counter()
nn = NearestNeighbors(n_neighbors=args.k).fit(train)
t1 = time.perf_counter()
dist, _ = nn.kneighbors(test)
t2 = time.perf_counter()
print(json.dumps({"peer": "sklearn.neighbors.NearestNeighbors", "normal": args.normal, "k": args.k,
                  "n_train": int(train.shape[0]), "n_test": int(test.shape[0]),
                  "auroc": roc_auc_score(labels, dist[:, -1]), "fit_seconds": t1 - t0,
                  "score_seconds": t2 - t1, "total_seconds": t2 - t0}))
