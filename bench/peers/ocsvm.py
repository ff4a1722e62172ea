#!/usr/bin/python3
"""ocsvm.py — scikit-learn peer of Vigil's `ocsvm`: OneClassSVM, score = -decision_function.

sklearn's decision_function is libsvm's sum_i alpha_i K(x_i, x) - rho with sum(alpha) = nu * N,
which is exactly what Vigil's ocsvm negates, so scores (not only AUROC) are comparable.
"""
import common


def add_args(p):
    p.add_argument("--kernel", default="rbf", choices=["linear", "rbf", "poly", "sigmoid"])
    p.add_argument("--nu", type=float, default=0.5)
    p.add_argument("--gamma", default="scale", help='a number, "scale" or "auto"')
    p.add_argument("--degree", type=int, default=3)
    p.add_argument("--coef0", type=float, default=0.0)
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--cache-size", type=float, default=200.0, help="MiB")


def gamma_of(a):
    return a.gamma if a.gamma in ("scale", "auto") else float(a.gamma)


def describe(a):
    return (f"sklearn.svm.OneClassSVM(kernel={a.kernel!r}, nu={a.nu}, gamma={gamma_of(a)!r}, degree={a.degree}, "
            f"coef0={a.coef0}, tol={a.tol}, cache_size={a.cache_size})")


def fit(train, a, seed):
    from sklearn.svm import OneClassSVM
    return OneClassSVM(kernel=a.kernel, nu=a.nu, gamma=gamma_of(a), degree=a.degree, coef0=a.coef0, tol=a.tol,
                       cache_size=a.cache_size).fit(train)


def score(model, test, a):
    return -model.decision_function(test)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
