#!/usr/bin/python3
"""classic_vs_sklearn.py — Vigil's classic detectors and their scikit-learn peers,
side by side in one run, on Fashion-MNIST one-vs-rest.

The same cells, with every metric, peak memory and an HTML report, now run as
`vigil bench bench/matrices/fmnist_classic.json` (docs/BENCH.md); this script
stays because it writes the BENCHMARKS.md table in its current layout.

For every method of bench/classic_methods.json × feature set (raw pixels, PCA-64)
× normal class × seed, it runs Vigil's pipeline (`vigil run --json`, extractor
`raw` or `pca` with 64 components, then the method's detector) and the method's
peer script in bench/peers/ on the same data, one after the other, 2 threads
each. Times are fit + score seconds measured inside each program (data loading
excluded for both; PCA-64 fit and transform included for both). Prints a
Markdown table; --write puts it into BENCHMARKS.md between
<!-- classic:begin --> and <!-- classic:end -->, and the raw per-cell results
into bench/results/classic.json.

    /usr/bin/python3 bench/classic_vs_sklearn.py [--methods lof,kde] [--classes 0,1]
        [--features raw,pca64] [--write]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FMNIST = "/usr/share/datasets/fashion-mnist"


def pipeline(method_stage, normal, features, seed):
    stages = [{"extractor": "raw"}]
    if features == "pca64":
        stages.append({"extractor": "pca", "params": {"components": 64}})
    stages.append(method_stage)
    return {
        "name": f"bench: {method_stage['detector']} on {features}, Fashion-MNIST class {normal} vs rest",
        "data": {
            "train": {"format": "idx", "images": f"{FMNIST}/train-images-idx3-ubyte.gz",
                      "labels": f"{FMNIST}/train-labels-idx1-ubyte.gz", "classes": [normal]},
            "test": {"format": "idx", "images": f"{FMNIST}/t10k-images-idx3-ubyte.gz",
                     "labels": f"{FMNIST}/t10k-labels-idx1-ubyte.gz", "normal": [normal]},
        },
        "stages": stages, "evaluate": ["roc"], "device": "cpu", "seed": seed,
    }


def run_vigil(vigil, spec, tmp, threads):
    path = os.path.join(tmp, "p.json")
    with open(path, "w") as f:
        json.dump(spec, f)
    out = subprocess.run([vigil, "run", path, "--json", "-q", "-j", str(threads)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"vigil run failed ({out.returncode}): {out.stderr.strip()}")
    r = json.loads(out.stdout)
    return {"auroc": r["metrics"]["roc"]["auroc"], "seconds": r["fit_seconds"] + r["score_seconds"]}


def run_peer(script, args, normal, features, seed, threads):
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "bench", "peers", script), "--normal", str(normal),
           "--features", features, "--seed", str(seed), "--threads", str(threads)] + args
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    r = json.loads(out.stdout)
    return {"auroc": r["auroc"], "seconds": r["total_seconds"], "peer": r["peer"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--methods", default="", help="comma-separated (default: all in bench/classic_methods.json)")
    ap.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9")
    ap.add_argument("--features", default="raw,pca64")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md and bench/results/classic.json")
    a = ap.parse_args()
    build = os.environ.get("VIGIL_BUILD_DIR", os.path.join(ROOT, "build"))
    vigil = os.path.join(build, "apps", "vigil", "vigil")
    if not os.access(vigil, os.X_OK):
        sys.exit(f"build first: bash scripts/quickstart.sh (no {vigil}; set VIGIL_BUILD_DIR for another build folder)")
    with open(os.path.join(ROOT, "bench", "classic_methods.json")) as f:
        methods = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    names = a.methods.split(",") if a.methods else list(methods)
    for n in names:
        if n not in methods:
            sys.exit(f"unknown method {n}; known: {', '.join(methods)}")
    classes = [int(c) for c in a.classes.split(",")]
    feats = a.features.split(",")
    cells = []
    total = len(names) * len(feats) * len(classes)
    t_start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            m = methods[name]
            for feat in feats:
                for c in classes:
                    ours, theirs = [], []
                    for seed in m.get("seeds", [0]):
                        ours.append(run_vigil(vigil, pipeline(m["vigil"], c, feat, seed), tmp, a.threads))
                        theirs.append(run_peer(m["peer"], m["peer_args"], c, feat, seed, a.threads))
                    cell = {"method": name, "features": feat, "normal": c, "seeds": m.get("seeds", [0]),
                            "vigil_auroc": statistics.mean(o["auroc"] for o in ours),
                            "peer_auroc": statistics.mean(t["auroc"] for t in theirs),
                            "vigil_seconds": statistics.mean(o["seconds"] for o in ours),
                            "peer_seconds": statistics.mean(t["seconds"] for t in theirs),
                            "peer": theirs[0]["peer"], "vigil_stage": m["vigil"]}
                    cell["ratio"] = cell["vigil_seconds"] / cell["peer_seconds"]
                    cells.append(cell)
                    print(f"[{len(cells)}/{total}, {time.time() - t_start:.0f} s] {name} {feat} class {c}: "
                          f"AUROC {cell['vigil_auroc']:.4f} vs {cell['peer_auroc']:.4f}, "
                          f"{cell['vigil_seconds']:.2f} s vs {cell['peer_seconds']:.2f} s (ratio {cell['ratio']:.3f})",
                          file=sys.stderr, flush=True)
    if a.write:
        cells = merge(cells)  # keep earlier runs' cells of other methods, classes or features
        names = [n for n in methods if any(c["method"] == n for c in cells)]
        feats = [f for f in ("raw", "pca64") if any(c["features"] == f for c in cells)]
    table = render(cells, names, feats, a)
    print(table)
    if a.write:
        write(cells, table)


def merge(cells):
    path = os.path.join(ROOT, "bench", "results", "classic.json")
    old = json.load(open(path)) if os.path.exists(path) else []
    key = lambda c: (c["method"], c["features"], c["normal"])
    new = {key(c) for c in cells}
    return [c for c in old if key(c) not in new] + cells


def render(cells, names, feats, a):
    cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"], capture_output=True,
                         text=True).stdout.strip()
    lines = ["| method | features | peer | classes | Vigil AUROC (mean) | peer AUROC (mean) | max \\|ΔAUROC\\| (points) "
             "| Vigil s (mean) | peer s (mean) | time ratio (worst class) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in names:
        for feat in feats:
            cs = [c for c in cells if c["method"] == name and c["features"] == feat]
            if not cs:
                continue
            lines.append(
                f"| {name} | {feat} | {cs[0]['peer']} | {len(cs)} "
                f"| {statistics.mean(c['vigil_auroc'] for c in cs):.4f} | {statistics.mean(c['peer_auroc'] for c in cs):.4f} "
                f"| {max(abs(c['vigil_auroc'] - c['peer_auroc']) for c in cs) * 100:.2f} "
                f"| {statistics.mean(c['vigil_seconds'] for c in cs):.2f} | {statistics.mean(c['peer_seconds'] for c in cs):.2f} "
                f"| {statistics.mean(c['ratio'] for c in cs):.3f} ({max(c['ratio'] for c in cs):.3f}) |")
    lines.append("")
    lines.append("Per class (AUROC Vigil / peer, time ratio):")
    lines.append("")
    hdr = "| method | features | " + " | ".join(str(c) for c in sorted({c['normal'] for c in cells})) + " |"
    lines.append(hdr)
    lines.append("|---|---|" + "---|" * len({c['normal'] for c in cells}))
    for name in names:
        for feat in feats:
            cs = sorted((c for c in cells if c["method"] == name and c["features"] == feat), key=lambda c: c["normal"])
            if cs:
                lines.append(f"| {name} | {feat} | " + " | ".join(
                    f"{c['vigil_auroc']:.4f} / {c['peer_auroc']:.4f}, {c['ratio']:.2f}" for c in cs) + " |")
    lines.append("")
    lines.append(f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {cpu} ({a.threads} threads each) by "
                 "`/usr/bin/python3 bench/classic_vs_sklearn.py --write` (`--methods m1,m2` reruns some methods and keeps "
                 "the other cells; each cell's Vigil and peer runs are back to back). Per-cell results: "
                 "`bench/results/classic.json`.")
    return "\n".join(lines)


def write(cells, table):
    import re
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "classic.json"), "w") as f:
        json.dump(cells, f, indent=1)
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read()
    block = f"<!-- classic:begin -->\n{table}\n<!-- classic:end -->"
    new, n = re.subn(r"<!-- classic:begin -->.*?<!-- classic:end -->", lambda m: block, text, flags=re.S)
    if n != 1:
        sys.exit("BENCHMARKS.md: markers <!-- classic:begin/end --> not found")
    with open(path, "w") as f:
        f.write(new)
    print("updated BENCHMARKS.md and bench/results/classic.json", file=sys.stderr)


if __name__ == "__main__":
    main()
