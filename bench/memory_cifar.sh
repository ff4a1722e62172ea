#!/usr/bin/env bash
# memory_cifar.sh — peak RSS of fitting each classic detector on a CIFAR-10-sized
# training set: all 50,000 training images of ../shared/data/cifar10 as
# 50,000 x 3,072 float32 (extractor `raw`), scored on the first 1,000 test
# images. Measured with /usr/bin/time -v (maximum resident set size of the
# whole `vigil run` process: data, features, the detector's state and scratch).
#
#   bash bench/memory_cifar.sh [--methods "knn lof"] [--write]
#
# --write puts the table into BENCHMARKS.md between <!-- memory:begin/end -->.
# The same measurements as a matrix of `vigil bench` (docs/BENCH.md):
#   vigil bench bench/matrices/memory_cifar.json
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${VIGIL_BUILD_DIR:-$root/build}"
vigil="$build/apps/vigil/vigil"
data="${VIGIL_CIFAR_DIR:-$root/../shared/data/cifar10}"
methods="knn mahalanobis lof kde pca copod iforest ocsvm svdd" write=0
while [ $# -gt 0 ]; do
  case "$1" in
    --methods) methods="$2"; shift 2 ;;
    --write) write=1; shift ;;
    *) echo "usage: $0 [--methods \"knn lof ...\"] [--write]" >&2; exit 2 ;;
  esac
done
[ -x "$vigil" ] || { echo "build first: bash scripts/quickstart.sh (no $vigil)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
for b in 1 2 3 4 5; do
  [ -f "$data/data_batch_$b.bin.gz" ] || { echo "CIFAR-10 is missing: no $data/data_batch_$b.bin.gz (set VIGIL_CIFAR_DIR)" >&2; exit 1; }
done
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# The detector stage of bench/classic_methods.json, except for the SVMs: with
# nu = 0.5 on 50,000 samples their SMO needs ~25,000 kernel rows of 50,000 x
# 3,072 before it starts (hours on 2 cores), so here they run nu = 0.01 (svdd:
# C = 0.002, the same by the equivalence) and at most 2,000 iterations. Their
# memory does not depend on either: data + centred copy + cache_size (200 MiB)
# + GEMM scratch.
params() {
  /usr/bin/python3 - "$1" "$root/bench/classic_methods.json" <<'PY'
import json, sys
name, path = sys.argv[1:]
stage = json.load(open(path))[name]["vigil"]
over = {"ocsvm": {"nu": 0.01, "max_iter": 2000}, "svdd": {"C": 0.002, "max_iter": 2000}}
stage.setdefault("params", {}).update(over.get(name, {}))
print(json.dumps(stage))
PY
}
table="| detector | train samples x features | peak RSS (GiB) | fit s | score s (1,000 test) | result |
|---|---|---|---|---|---|"
for m in $methods; do
  stage="$(params "$m")"
  cat > "$tmp/p.json" <<JSON
{"data": {"train": {"format": "cifar", "files": ["$data/data_batch_1.bin.gz", "$data/data_batch_2.bin.gz",
            "$data/data_batch_3.bin.gz", "$data/data_batch_4.bin.gz", "$data/data_batch_5.bin.gz"], "classes": [0,1,2,3,4,5,6,7,8,9]},
          "test": {"format": "cifar", "files": ["$data/test_batch.bin.gz"], "normal": [0], "limit": 1000}},
 "stages": [{"extractor": "raw"}, $stage], "evaluate": ["roc"], "device": "cpu", "seed": 0}
JSON
  set +e
  /usr/bin/time -v "$vigil" run "$tmp/p.json" --json -q -j 2 > "$tmp/out.json" 2> "$tmp/err.txt"
  rc=$?
  set -e
  kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/err.txt")"
  gib="$(/usr/bin/python3 -c "print(f'{$kb/1048576:.2f}')")"
  if [ $rc -eq 0 ]; then
    times="$(/usr/bin/python3 -c "import json; r=json.load(open('$tmp/out.json')); print(f\"{r['fit_seconds']:.1f} | {r['score_seconds']:.1f}\")")"
    result="ok"
  else
    times="- | -"
    result="failed (exit $rc): $(grep -v '^\s' "$tmp/err.txt" | grep -m1 error | cut -c1-120)"
  fi
  row="| $m | 50,000 x 3,072 | $gib | $times | $result |"
  echo "$row" >&2
  table="$table
$row"
done
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
note="Measured $(date -u +%Y-%m-%d) on $cpu (2 threads) by \`bash bench/memory_cifar.sh --write\` (\`--methods\` remeasures some rows and keeps the others); limit 4 GiB. Detector settings as bench/classic_methods.json, except ocsvm (nu 0.01, max_iter 2000) and svdd (C 0.002, max_iter 2000): see the script. Fit times are with other work running on the same 2 cores, not speed figures."
printf '%s\n\n%s\n' "$table" "$note"
if [ "$write" = 1 ]; then
  /usr/bin/python3 - "$root/BENCHMARKS.md" "$table" "$note" <<'PY'
import re, sys
path, table, note = sys.argv[1:]
text = open(path).read()
# Keep rows of detectors this run did not measure (a run may name only some).
old = re.search(r"<!-- memory:begin -->(.*?)<!-- memory:end -->", text, flags=re.S)
lines = table.split("\n")
ran = {l.split("|")[1].strip() for l in lines[2:]}
kept = [l for l in (old.group(1).split("\n") if old else [])
        if l.startswith("| ") and not l.startswith("| detector") and l.split("|")[1].strip() not in ran]
table = "\n".join(lines[:2] + kept + lines[2:])
block = f"<!-- memory:begin -->\n{table}\n\n{note}\n<!-- memory:end -->"
new, n = re.subn(r"<!-- memory:begin -->.*?<!-- memory:end -->", lambda m: block, text, flags=re.S)
if n != 1:
    sys.exit("BENCHMARKS.md: markers <!-- memory:begin/end --> not found")
open(path, "w").write(new)
PY
fi
