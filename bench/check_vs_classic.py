#!/usr/bin/python3
"""check_vs_classic.py — compares the AUROCs of a `vigil bench` run of
bench/matrices/fmnist_classic.json with bench/results/classic.json (written by
the older bench/classic_vs_sklearn.py), cell by cell, so that the matrix is
known to reproduce the published classic table.

    /usr/bin/python3 bench/check_vs_classic.py OUT/results.json [--tolerance 0.0001]

For each (method, features, class) present in both: the mean over seeds of
the bench's Vigil cells vs classic.json's vigil_auroc, and of its peer cells
vs peer_auroc. Exits 1 when any difference exceeds --tolerance (AUROC units;
the default 0.0001 allows for classic.json's cells taken from a progress log
with 4 decimals).
"""
import argparse
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--classic", default=os.path.join(ROOT, "bench", "results", "classic.json"))
    ap.add_argument("--tolerance", type=float, default=1e-4)
    a = ap.parse_args()
    cells = json.load(open(a.results))["cells"].values()
    classic = {(c["method"], c["features"], c["normal"]): c for c in json.load(open(a.classic))}
    groups = {}
    for c in cells:
        if c.get("status") != "ok":
            continue
        parts = c["pipeline"].split("/")  # method/features[/peer]
        side = "peer" if len(parts) == 3 else "vigil"
        groups.setdefault((parts[0], parts[1], c["normal"], side), []).append(c["metrics"]["roc"]["auroc"])
    worst, n = 0.0, 0
    print(f"{'method':12} {'features':8} {'class':5} {'side':5} {'bench':>8} {'classic':>8} {'diff':>9}")
    for (method, feat, normal, side), v in sorted(groups.items()):
        ref = classic.get((method, feat, normal))
        if ref is None:
            continue
        mine, theirs = statistics.mean(v), ref[f"{side}_auroc"]
        d = mine - theirs
        worst, n = max(worst, abs(d)), n + 1
        flag = "" if abs(d) <= a.tolerance else "  <-- differs"
        print(f"{method:12} {feat:8} {normal:5} {side:5} {mine:8.4f} {theirs:8.4f} {d:+9.6f}{flag}")
    print(f"{n} comparisons, largest |difference| {worst:.6f} AUROC (tolerance {a.tolerance})")
    sys.exit(0 if n and worst <= a.tolerance else 1)


if __name__ == "__main__":
    main()
