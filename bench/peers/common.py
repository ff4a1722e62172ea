"""common.py — what every peer script in bench/peers/ shares: the data, the
protocol, the timing and the output, so each peer script holds only its method.

Protocol (the same as Vigil's pipelines in bench/classic_vs_sklearn.py):
Fashion-MNIST one-vs-rest. Train on the 6,000 training images of the normal
class, pixels scaled to [0, 1] as float32 (784 features); score all 10,000
test images; label 1 = any other class; higher score = more anomalous.
--features pca64: PCA(64) fitted on the training images of the normal class,
applied to train and test, counted in fit and score time (Vigil's pipeline
runs its `pca` extractor the same way).

A peer script defines add_args(parser), describe(args) -> str,
fit(train, args, seed) -> model and score(model, test, args) -> scores, and
calls common.main(add_args, describe, fit, score). It prints one JSON object:
peer, normal, features, seed, n_train, n_test, auroc, fit_seconds,
score_seconds, total_seconds (data loading excluded).

Run with Debian's /usr/bin/python3 (python3-sklearn 1.2). Threads are pinned
to --threads (default 2) before numpy loads.

For `vigil bench` (peer cells of a matrix, docs/BENCH.md): --train-images,
--train-labels, --test-images, --test-labels name the IDX files instead of the
Fashion-MNIST folder; --train-limit / --test-limit keep the first N samples
(training: after keeping the normal class), as a pipeline's "limit" does;
--scores-out writes index,score,label per test sample so that Vigil's
evaluators measure both sides; the JSON line also carries "versions".
"""
import argparse
import gzip
import json
import os
import sys
import time


def _idx(data, name, offset):
    import numpy as np
    path = os.path.join(data, name)
    if not os.path.exists(path):
        sys.exit(f"peer: missing {path} (install Debian's dataset-fashion-mnist)")
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def _idx_images(data, name):
    """IDX images (magic 2051) as N x (rows*cols), whatever their size."""
    import numpy as np
    raw = _idx(data, name, 0)
    rows, cols = (int.from_bytes(raw[8:12].tobytes(), "big"), int.from_bytes(raw[12:16].tobytes(), "big"))
    return raw[16:].reshape(-1, rows * cols)


def load_fmnist(data, normal, files=None, train_limit=None, test_limit=None):
    import numpy as np
    f = files or {}
    xtr = _idx_images(data, f.get("train_images", "train-images-idx3-ubyte.gz"))
    ytr = _idx(data, f.get("train_labels", "train-labels-idx1-ubyte.gz"), 8)
    xte = _idx_images(data, f.get("test_images", "t10k-images-idx3-ubyte.gz"))
    yte = _idx(data, f.get("test_labels", "t10k-labels-idx1-ubyte.gz"), 8)
    xtr = xtr[ytr == normal][:train_limit]
    xte, yte = xte[:test_limit], yte[:test_limit]
    train = xtr.astype(np.float32) / np.float32(255.0)
    test = xte.astype(np.float32) / np.float32(255.0)
    return train, test, (yte != normal).astype(int)


def peak_rss_mib():
    """This process's peak resident set (VmHWM), in MiB; 0 without /proc."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def main(add_args, describe, fit, score):
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.split("\n")[0])
    parser.add_argument("--normal", type=int, default=0, help="normal class (default 0)")
    parser.add_argument("--features", choices=["raw", "pca64"], default="raw")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    for role in ("train", "test"):
        parser.add_argument(f"--{role}-images", help=f"IDX {role} images (default: in --data)")
        parser.add_argument(f"--{role}-labels", help=f"IDX {role} labels (default: in --data)")
        parser.add_argument(f"--{role}-limit", type=int, default=None, help=f"keep the first N {role} samples")
    parser.add_argument("--scores-out", help="write index,score,label of every test sample to this CSV")
    add_args(parser)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    from sklearn.decomposition import PCA
    from sklearn.metrics import roc_auc_score

    files = {k: getattr(args, k) for k in ("train_images", "train_labels", "test_images", "test_labels")
             if getattr(args, k)}
    train, test, labels = load_fmnist(args.data, args.normal, files, args.train_limit, args.test_limit)
    t0 = time.perf_counter()
    pca = None
    if args.features == "pca64":
        pca = PCA(n_components=64, svd_solver="full").fit(train)
        train = pca.transform(train).astype("float32")
    model = fit(train, args, args.seed)
    t1 = time.perf_counter()
    if pca is not None:
        test = pca.transform(test).astype("float32")
    scores = score(model, test, args)
    t2 = time.perf_counter()
    if args.scores_out:
        with open(args.scores_out + ".tmp", "w") as f:
            f.write("index,score,label\n")
            for i, (sc, lab) in enumerate(zip(scores, labels)):
                f.write(f"{i},{float(sc)!r},{int(lab)}\n")
        os.replace(args.scores_out + ".tmp", args.scores_out)
    import numpy
    import scipy
    import sklearn
    versions = {"python": sys.version.split()[0], "numpy": numpy.__version__, "scipy": scipy.__version__,
                "scikit-learn": sklearn.__version__}
    if "torch" in sys.modules:  # a PyTorch peer (e.g. knn_torch.py)
        versions["torch"] = sys.modules["torch"].__version__
    print(json.dumps({"peer": describe(args), "normal": args.normal, "features": args.features, "seed": args.seed,
                      "n_train": int(train.shape[0]), "n_test": int(test.shape[0]),
                      "auroc": float(roc_auc_score(labels, scores)), "fit_seconds": t1 - t0,
                      "score_seconds": t2 - t1, "total_seconds": t2 - t0, "versions": versions,
                      "peak_rss_mib": peak_rss_mib()}))
