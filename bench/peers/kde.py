#!/usr/bin/python3
"""kde.py — scikit-learn peer of Vigil's `kde`: KernelDensity(gaussian, bandwidth), score = −score_samples.

--bandwidth takes a number or scikit-learn 1.2's "scott" / "silverman" (the
same rules Vigil's kde uses); "cv" runs GridSearchCV over the OC-NN paper's
grid 2^0.5 .. 2^5 with 5 unshuffled folds, as Vigil's kde does.
"""
import common


def add_args(p):
    p.add_argument("--bandwidth", default="scott")


def describe(a):
    return f"sklearn.neighbors.KernelDensity(kernel='gaussian', bandwidth={a.bandwidth!r})"


def fit(train, a, seed):
    from sklearn.neighbors import KernelDensity
    bw = a.bandwidth
    if bw == "cv":
        from sklearn.model_selection import GridSearchCV
        grid = [2 ** (0.5 * i) for i in range(1, 11)]
        return GridSearchCV(KernelDensity(kernel="gaussian"), {"bandwidth": grid}, cv=5).fit(train).best_estimator_
    if bw not in ("scott", "silverman"):
        bw = float(bw)
    return KernelDensity(kernel="gaussian", bandwidth=bw).fit(train)


def score(model, test, a):
    return -model.score_samples(test)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
