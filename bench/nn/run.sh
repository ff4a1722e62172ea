#!/usr/bin/env bash
# bench/nn/run.sh — vigil::nn vs PyTorch 1.13 (CPU) on issue 4's four training
# loads, seconds per epoch (median after a warm-up epoch) and peak memory,
# 2 threads each, both sides run one after the other in one invocation.
#
#   bash bench/nn/run.sh [build-dir] [epochs] [compare.py options...]
#   defaults: build, 5 epochs; e.g.  bash bench/nn/run.sh build 5 --write
#
# Builds vigil_nn_bench in the build folder (configured by scripts/setup.sh's
# vigil_build if it does not exist yet), then runs bench/nn/compare.py, which
# prints the table (and with --write updates bench/results/nn.json and the nn
# section of BENCHMARKS.md). Needs Debian's python3-torch (/usr/bin/python3).
# Set NICE=1 on a shared machine (both sides get nice -n 19).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
epochs=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
/usr/bin/python3 -c "import torch" 2>/dev/null || {
  echo "bench/nn: PyTorch is missing; install Debian's python3-torch (apt-get install python3-torch)" >&2; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" -j"$(nproc)" --target vigil_nn_bench >/dev/null
bench=$(find "$build" -name vigil_nn_bench -type f -perm -u+x | head -1)
extra=()
[ -n "${NICE:-}" ] && extra+=(--nice)
exec /usr/bin/python3 "$here/compare.py" "$bench" --epochs "$epochs" "${extra[@]}" "$@"
