#!/usr/bin/python3
"""gen_svm.py - reference values for Vigil's ocsvm / svdd (SMO solver) from scikit-learn.

Why this file exists: tests/classic/svm_solver_test.cpp and tests/detectors/{ocsvm,svdd}_test.cpp
check Vigil's one-class SVM against sklearn.svm.OneClassSVM (libsvm inside), the implementation
the anomaly-detection literature reports with. This script builds a small seeded data set and
writes what sklearn computes for it to svm_reference.json (kept in the repo, so the C++ tests need
no Python). Regenerate with Debian's python3-sklearn (1.2):

    /usr/bin/python3 tests/reference/gen_svm.py

Conventions:
  * train/test values are float32 (what crosses the plugin ABI), stored as the exact double value
    of each float32; sklearn converts them to float64 exactly;
  * "gamma" is the resolved value (model._gamma): "scale" = 1 / (D * X.var()), X.var() over all
    entries (numpy, float64);
  * "rho" is model.offset_ (libsvm's rho), "dual_coef_sum" is sum(dual_coef_) = nu * N (libsvm's
    alpha scale), "decision_test"/"decision_train" are decision_function values
    (sum_i alpha_i K(x_i, x) - rho, higher = more normal): Vigil's ocsvm score is their negation;
  * "support" lists the training indices with alpha > 0.
Cases with tol 1e-7 are solved nearly exactly by both sides, so they agree up to the float kernel
values; tol 1e-3 (the default) cases agree up to the solver's stopping tolerance.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.svm import OneClassSVM


def data():
    rng = np.random.RandomState(20240611)
    # Two anisotropic clusters plus a sparse background, 5 features.
    a = rng.randn(50, 5) * np.array([1.0, 0.5, 2.0, 1.0, 0.3]) + np.array([1.0, -1.0, 0.0, 2.0, 0.5])
    b = rng.randn(30, 5) * 0.7 + np.array([-2.0, 1.5, 1.0, -1.0, 0.0])
    train = np.vstack([a, b]).astype(np.float32)
    test = np.vstack([rng.randn(8, 5) * 1.5, rng.randn(4, 5) * 0.5 + np.array([1.0, -1.0, 0.0, 2.0, 0.5]),
                      rng.randn(3, 5) * 4.0]).astype(np.float32)
    return train, test


CASES = [
    # name, kernel, nu, gamma, degree, coef0, tol
    ("rbf_scale_default_tol", "rbf", 0.5, "scale", 3, 0.0, 1e-3),
    ("rbf_scale_tight", "rbf", 0.5, "scale", 3, 0.0, 1e-7),
    ("rbf_gamma02_nu01_tight", "rbf", 0.1, 0.2, 3, 0.0, 1e-7),
    ("rbf_auto_nu03_tight", "rbf", 0.3, "auto", 3, 0.0, 1e-7),
    ("linear_nu03_tight", "linear", 0.3, "scale", 3, 0.0, 1e-7),
    ("poly3_tight", "poly", 0.2, 0.1, 3, 1.0, 1e-7),
    ("sigmoid_default_tol", "sigmoid", 0.5, 0.02, 3, 0.0, 1e-3),
]


def f64(v):
    return [float(x) for x in np.asarray(v, dtype=np.float64).ravel()]


def main():
    train, test = data()
    cases = []
    for name, kernel, nu, gamma, degree, coef0, tol in CASES:
        m = OneClassSVM(kernel=kernel, nu=nu, gamma=gamma, degree=degree, coef0=coef0, tol=tol,
                        cache_size=200).fit(train)
        cases.append({
            "name": name, "kernel": kernel, "nu": nu, "gamma_param": gamma, "degree": degree, "coef0": coef0,
            "tol": tol,
            "gamma": float(m._gamma),
            "n_sv": int(len(m.support_)),
            "support": [int(i) for i in m.support_],
            "rho": float(m.offset_[0]),
            "dual_coef_sum": float(m.dual_coef_.sum()),
            "decision_test": f64(m.decision_function(test)),
            "decision_train": f64(m.decision_function(train)),
        })
    doc = {"generator": "tests/reference/gen_svm.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
           "n_train": int(train.shape[0]), "n_test": int(test.shape[0]), "d": int(train.shape[1]),
           "train": f64(train), "test": f64(test), "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "svm_reference.json")
    with open(path, "w") as f:
        f.write("{\n")
        keys = [k for k in doc if k != "cases"]
        for k in keys:
            f.write(' "%s": %s,\n' % (k, json.dumps(doc[k])))
        f.write(' "cases": [\n')
        for i, case in enumerate(cases):
            items = [' "%s": %s' % (k, json.dumps(v)) for k, v in case.items()]
            f.write("  {\n" + ",\n".join("  " + it for it in items) + "\n  }" + ("," if i + 1 < len(cases) else "") + "\n")
        f.write(" ]\n}\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
