#!/usr/bin/python3
"""iforest.py — scikit-learn peer of Vigil's `iforest`: IsolationForest(n_estimators, max_samples, random_state=seed), score = −score_samples.

sklearn's score_samples is the negated paper score −2^(−E[h(x)]/c(ψ)), so
−score_samples is the score Vigil's iforest returns (higher = more anomalous).
max_samples is min(--max-samples, training samples), as Vigil does (and
sklearn's "auto" for the default 256). The forest is fitted with n_jobs =
--threads, the same thread budget Vigil's run gets with -j.
"""
import common


def add_args(p):
    p.add_argument("--trees", type=int, default=100)
    p.add_argument("--max-samples", type=int, default=256)
    p.add_argument("--max-features", type=float, default=1.0)


def describe(a):
    return (f"sklearn.ensemble.IsolationForest(n_estimators={a.trees}, max_samples={a.max_samples}, "
            f"max_features={a.max_features})")


def fit(train, a, seed):
    from sklearn.ensemble import IsolationForest
    return IsolationForest(n_estimators=a.trees, max_samples=min(a.max_samples, train.shape[0]),
                           max_features=a.max_features, random_state=seed, n_jobs=a.threads).fit(train)


def score(model, test, a):
    return -model.score_samples(test)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
