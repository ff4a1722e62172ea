#!/usr/bin/env bash
# report_screenshot.sh — renders a `vigil bench` HTML report in headless
# Chromium (Debian package `chromium`) and saves a screenshot, to check that
# the report opens offline and reads well (tables, ROC curves, histograms,
# thumbnails) without opening a browser by hand.
#
#   bash bench/report_screenshot.sh [--report REPORT.html] [--out SHOT.png] [--height PX]
#
# Without --report it first runs (or resumes: finished cells are not rerun)
# the Vigil cells of the Fashion-MNIST classic-detector matrix,
#   vigil bench bench/matrices/fmnist_classic.json --no-peers -o $build/bench-out/fmnist_classic
# (220 cells, about 10 minutes on 2 cores), then shoots its report into
# bench/results/fmnist_classic_report.png. Chromium runs with networking
# disabled through a proxy that does not exist, so a report that needed
# anything from outside would show it broken in the screenshot.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${VIGIL_BUILD_DIR:-$root/build}"
vigil="$build/apps/vigil/vigil"
report="" out="$root/bench/results/fmnist_classic_report.png" height=6750
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --height) height="$2"; shift 2 ;;
    *) echo "usage: $0 [--report REPORT.html] [--out SHOT.png] [--height PX]" >&2; exit 2 ;;
  esac
done
command -v chromium >/dev/null || { echo "needs Debian's chromium (apt-get install chromium)" >&2; exit 1; }
if [ -z "$report" ]; then
  [ -x "$vigil" ] || { echo "build first: bash scripts/quickstart.sh (no $vigil; set VIGIL_BUILD_DIR)" >&2; exit 1; }
  o="$build/bench-out/fmnist_classic"
  nice -n 19 "$vigil" bench "$root/bench/matrices/fmnist_classic.json" --no-peers -o "$o" -q \
    --focus "knn/raw|fashion-mnist|0|s0" || [ $? -eq 7 ]
  report="$o/report.html"
fi
[ -f "$report" ] || { echo "no such report: $report" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp" \
  --proxy-server=127.0.0.1:9 --window-size=1500,"$height" \
  --screenshot="$out" "file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")" 2>"$tmp/err" \
  || { cat "$tmp/err" >&2; exit 1; }
[ -s "$out" ] || { echo "chromium wrote no screenshot" >&2; cat "$tmp/err" >&2; exit 1; }
echo "screenshot of $report: $out"
