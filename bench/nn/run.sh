#!/usr/bin/env bash
# bench/nn/run.sh — vigil::nn vs PyTorch 1.13 (CPU) on the same training
# loads, seconds per epoch (median after a warm-up epoch), 2 threads each.
#
#   bench/nn/run.sh [build-dir] [epochs] [loads...]
#   defaults: build-nn, 5 epochs, loads svdd_lenet svdd_ae wrn vae
#
# Builds vigil_nn_bench in the build folder, then runs the two sides one
# after the other for each load and prints "load ours torch ratio".
# Set NICE="nice -n 19" on a shared machine (both sides get the same).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-nn}
epochs=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
loads=("$@")
[ ${#loads[@]} -eq 0 ] && loads=(svdd_lenet svdd_ae wrn vae)
nice_cmd=${NICE:-}
$nice_cmd cmake --build "$build" -j2 --target vigil_nn_bench >/dev/null
bench=$(find "$build" -name vigil_nn_bench -type f -perm -u+x | head -1)
median() { grep '^median_s_per_epoch' | awk '{print $2}'; }
printf "%-12s %10s %10s %8s\n" load vigil_s torch_s ratio
for load in "${loads[@]}"; do
  ours=$(OMP_NUM_THREADS=2 $nice_cmd "$bench" "$load" "$epochs" 2 | median)
  theirs=$(OMP_NUM_THREADS=2 $nice_cmd /usr/bin/python3 "$here/torch_bench.py" "$load" "$epochs" 2 | median)
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
  printf "%-12s %10s %10s %8s\n" "$load" "$ours" "$theirs" "$ratio"
done
