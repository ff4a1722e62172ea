#!/usr/bin/python3
"""pca.py — scikit-learn peer of Vigil's `pca` detector: PCA reconstruction error.

PCA(n_components=variance fraction, svd_solver="full") fitted on the normal
training set; score = ‖x − inverse_transform(transform(x))‖² (scikit-learn has
no PCA detector; this is the reconstruction-error definition Vigil follows).
"""
import common


def add_args(p):
    p.add_argument("--variance", type=float, default=0.95)
    p.add_argument("--components", type=int, default=0, help="overrides --variance when > 0")


def describe(a):
    n = a.components if a.components > 0 else a.variance
    return f"sklearn.decomposition.PCA(n_components={n}) reconstruction error"


def fit(train, a, seed):
    from sklearn.decomposition import PCA
    return PCA(n_components=a.components if a.components > 0 else a.variance, svd_solver="full").fit(train)


def score(model, test, a):
    rec = model.inverse_transform(model.transform(test))
    return ((test - rec) ** 2).sum(axis=1)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
