#!/usr/bin/env bash
# vs_sklearn.sh — a Vigil pipeline and its scikit-learn peer on the same
# Fashion-MNIST one-vs-rest data, side by side in one run, 2 threads each.
#
#   bash bench/vs_sklearn.sh --method knn|mahalanobis [--classes "0 1 2"] [--write]
#
# knn: examples/quickstart.json vs NearestNeighbors(5); mahalanobis:
# examples/mahalanobis_fmnist.json vs EmpiricalCovariance. Prints a Markdown
# table; --write replaces the table between the method's markers in
# BENCHMARKS.md. Times are fit + score seconds measured inside each program
# (data loading excluded for both).
# The same measurements as a matrix of `vigil bench` (docs/BENCH.md):
#   vigil bench bench/matrices/fmnist_quickstart.json
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${VIGIL_BUILD_DIR:-$root/build}"
vigil="$build/apps/vigil/vigil"
method=knn classes=0 write=0
while [ $# -gt 0 ]; do
  case "$1" in
    --method) method="$2"; shift 2 ;;
    --classes) classes="$2"; shift 2 ;;
    --write) write=1; shift ;;
    *) echo "usage: $0 --method knn|mahalanobis [--classes \"0 1 ...\"] [--write]" >&2; exit 2 ;;
  esac
done
case "$method" in
  knn) pipeline="$root/examples/quickstart.json"; marker=quickstart ;;
  mahalanobis) pipeline="$root/examples/mahalanobis_fmnist.json"; marker=mahalanobis ;;
  *) echo "unknown method $method" >&2; exit 2 ;;
esac
[ -x "$vigil" ] || { echo "build first: bash scripts/quickstart.sh (no $vigil)" >&2; exit 1; }
/usr/bin/python3 -c "import sklearn" 2>/dev/null || { echo "needs Debian's python3-sklearn (apt-get install python3-sklearn)" >&2; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
table="| normal class | Vigil AUROC | sklearn AUROC | Vigil fit+score s | sklearn fit+score s | time ratio Vigil/sklearn |
|---|---|---|---|---|---|"
for c in $classes; do
  sed "s/\"classes\": \[0\]/\"classes\": [$c]/; s/\"normal\": \[0\]/\"normal\": [$c]/" "$pipeline" > "$tmp/p.json"
  "$vigil" run "$tmp/p.json" --json -q -j 2 > "$tmp/ours.json"
  /usr/bin/python3 "$root/bench/peers/$method.py" --normal "$c" --threads 2 > "$tmp/theirs.json"
  row="$(/usr/bin/python3 - "$c" "$tmp/ours.json" "$tmp/theirs.json" <<'PY'
import json, sys
c, o, t = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
ours = o["fit_seconds"] + o["score_seconds"]
theirs = t["total_seconds"]
print(f"| {c} | {o['metrics']['roc']['auroc']:.4f} | {t['auroc']:.4f} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.3f} |")
PY
)"
  echo "$row" >&2
  table="$table
$row"
done
note="Measured $(date -u +%Y-%m-%d) on $cpu (2 threads each) by \`bash bench/vs_sklearn.sh --method $method --classes \"$classes\" --write\`."
printf '%s\n\n%s\n' "$table" "$note"
if [ "$write" = 1 ]; then
  /usr/bin/python3 - "$root/BENCHMARKS.md" "$marker" "$table" "$note" <<'PY'
import re, sys
path, marker, table, note = sys.argv[1:]
text = open(path).read()
block = f"<!-- {marker}:begin -->\n{table}\n\n{note}\n<!-- {marker}:end -->"
new, n = re.subn(rf"<!-- {marker}:begin -->.*?<!-- {marker}:end -->", lambda m: block, text, flags=re.S)
if n != 1:
    sys.exit(f"BENCHMARKS.md: markers for {marker} not found")
open(path, "w").write(new)
PY
  echo "updated BENCHMARKS.md" >&2
fi
