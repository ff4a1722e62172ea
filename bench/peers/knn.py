#!/usr/bin/python3
"""knn.py — scikit-learn peer of Vigil's `knn`: NearestNeighbors(k), score = distance to the k-th nearest."""
import common


def add_args(p):
    p.add_argument("--k", type=int, default=5)


def describe(a):
    return f"sklearn.neighbors.NearestNeighbors(n_neighbors={a.k})"


def fit(train, a, seed):
    from sklearn.neighbors import NearestNeighbors
    return NearestNeighbors(n_neighbors=a.k).fit(train)


def score(model, test, a):
    return model.kneighbors(test)[0][:, -1]


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
