#!/usr/bin/python3
"""svdd.py — scikit-learn peer of Vigil's `svdd`: OneClassSVM(nu = 1/(N*C)), score = -decision_function.

scikit-learn has no SVDD. For the rbf kernel (K(x, x) = 1) SVDD with bound C is the nu-one-class SVM
with nu = 1/(N*C): the SVDD dual  min a'Ka - sum_i a_i K_ii, 0 <= a_i <= C, sum a = 1  has a constant
linear term, and a = alpha / (nu*N) maps it onto the one-class dual  min 1/2 alpha'K alpha,
0 <= alpha_i <= 1, sum alpha = nu*N. Both score x by sum_i a_i K(x_i, x) up to a positive scale and a
shift, so their rankings and AUROC are the same (Tax & Duin 2004; Schoelkopf et al. 2001). Only rbf is
offered here for that reason. N is the number of training samples (6000 for one Fashion-MNIST class).
"""
import sys

import common


def add_args(p):
    p.add_argument("--C", type=float, default=1.0)
    p.add_argument("--gamma", default="scale", help='a number, "scale" or "auto"')
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--cache-size", type=float, default=200.0, help="MiB")


def gamma_of(a):
    return a.gamma if a.gamma in ("scale", "auto") else float(a.gamma)


def describe(a):
    return f"sklearn.svm.OneClassSVM(kernel='rbf', nu=1/(N*{a.C}), gamma={gamma_of(a)!r}, tol={a.tol}) [SVDD, C={a.C}]"


def fit(train, a, seed):
    from sklearn.svm import OneClassSVM
    n = train.shape[0]
    nu = 1.0 / (n * a.C)
    if not 0.0 < nu <= 1.0:
        sys.exit(f"svdd peer: C = {a.C} is below 1/N = {1.0 / n} (infeasible)")
    return OneClassSVM(kernel="rbf", nu=nu, gamma=gamma_of(a), tol=a.tol, cache_size=a.cache_size).fit(train)


def score(model, test, a):
    return -model.decision_function(test)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
