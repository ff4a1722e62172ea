#!/usr/bin/python3
"""knn_torch.py — PyTorch peer of Vigil's `knn`: distance to the k-th nearest training sample by torch.cdist + topk (CPU, float32)."""
import torch  # imported before the timed fit (the import alone takes about a second)

import common


def add_args(p):
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--block", type=int, default=2048, help="test samples per cdist block (bounds memory)")


def describe(a):
    return f"torch {torch.__version__}: cdist + topk(k={a.k}) in blocks of {a.block}, float32"


def fit(train, a, seed):
    torch.set_num_threads(a.threads)
    return torch.from_numpy(train.astype("float32"))


def score(model, test, a):
    q = torch.from_numpy(test.astype("float32"))
    out = []
    with torch.no_grad():
        for i in range(0, q.shape[0], a.block):
            d = torch.cdist(q[i:i + a.block], model)  # Euclidean, via matrix products for large inputs
            out.append(d.topk(a.k, dim=1, largest=False).values[:, -1])
    return torch.cat(out).numpy()


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
