#!/usr/bin/python3
"""gen_metrics.py - reference values for vigil_metrics from scikit-learn.

Why this file exists: tests/evaluators/metrics_test.cpp checks Vigil's ROC
metrics against scikit-learn, the implementation the anomaly/OOD literature
reports with. This script builds a few seeded (score, label) sets and writes
what sklearn computes for them to metrics_reference.json (kept in the repo, so
the C++ tests need no Python). Regenerate with Debian's python3-sklearn:

    /usr/bin/python3 tests/reference/gen_metrics.py

Conventions (the same as framework/metrics, see roc.hpp):
  * label 1 = anomaly = positive class, higher score = more anomalous;
  * scores are float32 (what crosses the plugin ABI), stored as the exact
    double value of each float32;
  * the ROC curve is roc_curve(..., drop_intermediate=False): every distinct
    score is a point (dropping collinear points changes neither AUROC nor
    Youden's choice, but can raise the FPR at 95% TPR on a diagonal segment);
  * fpr_at_95_tpr: fpr at the first point with tpr >= 0.95;
  * Youden: argmax of J = tpr - fpr over roc_curve's points except its leading
    sentinel (threshold max+1 or inf, not a score). J is compared exactly on
    integer counts (tps*N - fps*P) so that ties are true ties: in floats
    0.3 - 0.1 < 0.4 - 0.2, and np.argmax on tpr - fpr would then skip the
    first (highest) of two equally good thresholds ("float_j_tie" below);
  * predicted anomaly when score >= threshold; precision/recall/f1 use
    zero_division=0 (the value sklearn's default "warn" returns).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix, f1_score,
                             precision_score, recall_score, roc_auc_score, roc_curve)


def f32(values):
    return np.asarray(values, dtype=np.float32)


def cases():
    out = []
    # sklearn's documentation example: AUROC 0.75, AP 0.8333...
    out.append(("sklearn_doc", f32([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])))
    # Heavy ties: integer scores 0..4, 60 samples.
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 60)
    out.append(("ties_heavy", f32(rng.integers(0, 4, 60) + y), y))
    # Every score tied: one ROC point besides the origin, AUROC exactly 0.5.
    out.append(("all_tied", f32(np.full(10, 0.5)), np.array([0, 1] * 5)))
    # Anomalies scored lower than normals: no threshold beats chance (max J = 0).
    out.append(("worse_than_random", f32([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1]), np.array([0, 0, 0, 1, 1, 1, 1])))
    # P = N = 10; points (tps, fps) = (3, 1) at 0.9 and (4, 2) at 0.8 have the same J = 0.2.
    s = [0.9] * 4 + [0.8] * 2 + [0.5] * 14
    y = [1, 1, 1, 0] + [1, 0] + [0] * 8 + [1] * 6
    out.append(("float_j_tie", f32(s), np.array(y)))
    # 1000 samples, 30% anomalies shifted by one standard deviation.
    rng = np.random.default_rng(2024)
    y = (rng.random(1000) < 0.3).astype(np.int64)
    out.append(("random_1000", f32(rng.normal(size=1000) + 1.0 * y), y))
    # 1000 samples rounded to one decimal: random and heavily tied.
    rng = np.random.default_rng(7)
    y = (rng.random(1000) < 0.5).astype(np.int64)
    out.append(("quantized_1000", f32(np.round(rng.normal(size=1000) + 0.8 * y, 1)), y))
    return out


def at_threshold(s, y, t):
    pred = (s.astype(np.float64) >= t).astype(np.int64)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "threshold": float(t),
        "accuracy": float(accuracy_score(y, pred)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "tpr": float(tp / (tp + fn)),
        "fpr": float(fp / (fp + tn)),
        "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
    }


def reference(name, s, y):
    P, N = int(y.sum()), int(len(y) - y.sum())
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    tps = [int(round(v * P)) for v in tpr]
    fps = [int(round(v * N)) for v in fpr]
    keys = np.array([tps[i] * N - fps[i] * P for i in range(1, len(thr))], dtype=np.int64)
    k = int(np.argmax(keys)) + 1  # first maximum; +1 skips the sentinel
    float_k = int(np.argmax((tpr - fpr)[1:])) + 1
    youden = at_threshold(s, y, float(thr[k]))
    youden["j"] = float(tpr[k] - fpr[k])
    return {
        "name": name,
        "note": "float argmax of tpr - fpr would pick threshold %r" % float(thr[float_k]) if float_k != k else "",
        "scores": [float(v) for v in s],
        "labels": [int(v) for v in y],
        "n_normal": N,
        "n_anomalous": P,
        "auroc": float(roc_auc_score(y, s)),
        "aupr_out": float(average_precision_score(y, s)),
        "aupr_in": float(average_precision_score(1 - y, -s)),
        "fpr_at_95_tpr": float(fpr[int(np.argmax(tpr >= 0.95))]),
        "roc_points": len(thr) - 1,
        "youden": youden,
        "fixed": at_threshold(s, y, float(np.median(s))),
    }


def main():
    doc = {
        "generator": "tests/reference/gen_metrics.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": [reference(*c) for c in cases()],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_reference.json")
    # One line per key keeps diffs readable; float repr round-trips exactly.
    with open(path, "w") as f:
        f.write("{\n")
        for key in ("generator", "sklearn", "numpy"):
            f.write(' "%s": %s,\n' % (key, json.dumps(doc[key])))
        f.write(' "cases": [\n')
        for i, case in enumerate(doc["cases"]):
            items = [' "%s": %s' % (k, json.dumps(v)) for k, v in case.items()]
            f.write("  {\n" + ",\n".join("  " + it for it in items) + "\n  }" + ("," if i + 1 < len(doc["cases"]) else "") + "\n")
        f.write(" ]\n}\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
