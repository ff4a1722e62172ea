#!/usr/bin/python3
"""lof.py — scikit-learn peer of Vigil's `lof`: LocalOutlierFactor(k, novelty=True), score = −score_samples."""
import common


def add_args(p):
    p.add_argument("--k", type=int, default=20)


def describe(a):
    return f"sklearn.neighbors.LocalOutlierFactor(n_neighbors={a.k}, novelty=True)"


def fit(train, a, seed):
    from sklearn.neighbors import LocalOutlierFactor
    return LocalOutlierFactor(n_neighbors=a.k, novelty=True).fit(train)


def score(model, test, a):
    return -model.score_samples(test)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
