#!/usr/bin/python3
"""bench/nn/compare.py — vigil::nn vs PyTorch on the four training loads of
issue 4, side by side in one run, with the table for BENCHMARKS.md.

usage: /usr/bin/python3 bench/nn/compare.py BENCH_BINARY [--epochs N] [--threads T]
                                            [--loads a,b] [--write] [--nice]

For each load, runs BENCH_BINARY (vigil_nn_bench) and torch_bench.py one
after the other with the same epochs and threads (OMP_NUM_THREADS=T on both),
parses their "median_s_per_epoch", "rss_before_training_mib" and
"peak_rss_mib" lines, and prints one row per load. --write stores the rows
in bench/results/nn.json and replaces the table between <!-- nn:begin -->
and <!-- nn:end --> in BENCHMARKS.md. --nice runs both sides under nice -n 19
(a shared machine: both sides get the same).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOADS = {
    "svdd_lenet": "(a) Deep SVDD LeNet, 28×28×1, batch 200, 6,000 images/epoch",
    "svdd_ae": "(b) its convolutional autoencoder, batch 200, 6,000 images/epoch",
    "wrn": "(c) WRN-10-4, 32×32×3, 72 classes, batch 128, 1,280 images/epoch",
    "vae": "(d) VAE 784-256-16, batch 128, 6,000 images/epoch",
}
IMAGES = {"svdd_lenet": 6000, "svdd_ae": 6000, "wrn": 1280, "vae": 5888}  # full batches only


def run_side(cmd, threads, nice):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    full = (["nice", "-n", "19"] if nice else []) + cmd
    p = subprocess.run(full, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"compare.py: {' '.join(full)} failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
    out = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("median_s_per_epoch", "rss_before_training_mib", "peak_rss_mib"):
            out[parts[0]] = float(parts[1])
    missing = {"median_s_per_epoch", "rss_before_training_mib", "peak_rss_mib"} - set(out)
    if missing:
        sys.exit(f"compare.py: {' '.join(full)} printed no {sorted(missing)}:\n{p.stdout[-2000:]}")
    return out


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def table(rows):
    lines = [
        "| load | vigil::nn s/epoch | PyTorch s/epoch | ours / PyTorch | vigil::nn images/s | PyTorch images/s |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {LOADS[r['load']]} | {r['vigil_s']:.3f} | {r['torch_s']:.3f} | **{r['ratio']:.2f}** | "
            f"{r['vigil_images_per_s']:.0f} | {r['torch_images_per_s']:.0f} |")
    mem = [r for r in rows if r["load"] == "wrn"]
    if mem:
        r = mem[0]
        lines += [
            "",
            "Peak memory of training (c), WRN-10-4 (resident set of the process):",
            "",
            "| | vigil::nn | PyTorch |",
            "|---|---|---|",
            f"| peak RSS (MiB) | {r['vigil_peak_mib']:.0f} | {r['torch_peak_mib']:.0f} |",
            f"| RSS before the model was built (MiB) | {r['vigil_base_mib']:.0f} | {r['torch_base_mib']:.0f} |",
            f"| training's own peak = difference (MiB) | {r['vigil_peak_mib'] - r['vigil_base_mib']:.0f} | "
            f"{r['torch_peak_mib'] - r['torch_base_mib']:.0f} |",
        ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", help="path of the vigil_nn_bench binary")
    ap.add_argument("--epochs", type=int, default=5, help="timed epochs after the warm-up one (default 5)")
    ap.add_argument("--threads", type=int, default=2, help="threads on each side (default 2)")
    ap.add_argument("--loads", default=",".join(LOADS), help="comma-separated subset of " + ",".join(LOADS))
    ap.add_argument("--write", action="store_true", help="write bench/results/nn.json and BENCHMARKS.md")
    ap.add_argument("--nice", action="store_true", help="run both sides under nice -n 19")
    a = ap.parse_args()
    loads = a.loads.split(",")
    for l in loads:
        if l not in LOADS:
            sys.exit(f"compare.py: unknown load '{l}' (known: {', '.join(LOADS)})")
    import torch  # only for its version; the timed runs are separate processes

    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_avg = os.getloadavg()[0]
    rows = []
    print(f"{'load':<12} {'vigil_s':>9} {'torch_s':>9} {'ratio':>6} {'vigil_MiB':>10} {'torch_MiB':>10}", flush=True)
    for l in loads:
        ours = run_side([a.bench, l, str(a.epochs), str(a.threads)], a.threads, a.nice)
        theirs = run_side(["/usr/bin/python3", os.path.join(HERE, "torch_bench.py"), l, str(a.epochs),
                           str(a.threads)], a.threads, a.nice)
        r = {
            "load": l,
            "vigil_s": ours["median_s_per_epoch"],
            "torch_s": theirs["median_s_per_epoch"],
            "ratio": ours["median_s_per_epoch"] / theirs["median_s_per_epoch"],
            "vigil_images_per_s": IMAGES[l] / ours["median_s_per_epoch"],
            "torch_images_per_s": IMAGES[l] / theirs["median_s_per_epoch"],
            "vigil_peak_mib": ours["peak_rss_mib"],
            "torch_peak_mib": theirs["peak_rss_mib"],
            "vigil_base_mib": ours["rss_before_training_mib"],
            "torch_base_mib": theirs["rss_before_training_mib"],
        }
        rows.append(r)
        print(f"{l:<12} {r['vigil_s']:>9.3f} {r['torch_s']:>9.3f} {r['ratio']:>6.2f} "
              f"{r['vigil_peak_mib']:>10.0f} {r['torch_peak_mib']:>10.0f}", flush=True)
    load_avg_end = os.getloadavg()[0]
    meta = {
        "started": started,
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads_each": a.threads,
        "timed_epochs": a.epochs,
        "torch": torch.__version__,
        "load_average_start": round(load_avg, 2),
        "load_average_end": round(load_avg_end, 2),
        "niced": a.nice,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
    }
    print(table(rows))
    if not a.write:
        return
    path = os.path.join(ROOT, "bench", "results", "nn.json")
    with open(path, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    md = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(md).read()
    begin, end = "<!-- nn:begin -->", "<!-- nn:end -->"
    if begin not in text or end not in text:
        sys.exit(f"compare.py: {md} has no {begin} ... {end} section to replace")
    cond = (f"Measured {meta['started']} on {meta['cpu']} ({meta['cores']} cores), {a.threads} threads each side, "
            f"median of {a.epochs} epochs after a warm-up epoch, PyTorch {meta['torch']}; load average "
            f"{meta['load_average_start']} at the start, {meta['load_average_end']} at the end; "
            f"OMP_WAIT_POLICY {meta['omp_wait_policy']}. Command: `bash bench/nn/run.sh build {a.epochs} --write`.")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(md, "w") as f:
        f.write(head + begin + "\n" + cond + "\n\n" + table(rows) + "\n" + end + tail)
    print(f"wrote {path} and the nn section of {md}")


if __name__ == "__main__":
    main()
