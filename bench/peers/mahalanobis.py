#!/usr/bin/python3
"""mahalanobis.py — scikit-learn peer of Vigil's `mahalanobis`: EmpiricalCovariance().mahalanobis."""
import common


def add_args(p):
    pass


def describe(a):
    return "sklearn.covariance.EmpiricalCovariance"


def fit(train, a, seed):
    from sklearn.covariance import EmpiricalCovariance
    return EmpiricalCovariance().fit(train)


def score(model, test, a):
    return model.mahalanobis(test)


if __name__ == "__main__":
    common.main(add_args, describe, fit, score)
