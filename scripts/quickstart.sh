#!/usr/bin/env bash
# quickstart.sh — README command 1: set up (packages + build), then run the
# quickstart pipeline: knn (k = 5) on raw pixels, Fashion-MNIST class 0
# (T-shirt/top) as normal vs the 9 other classes, and print its metrics.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
vigil_build vigil_runtime   # the CLI and the plugins; the tests are built by scripts/test.sh
echo
echo "quickstart: $VIGIL_BUILD_DIR/apps/vigil/vigil run examples/quickstart.json"
exec "$VIGIL_BUILD_DIR/apps/vigil/vigil" run "$VIGIL_ROOT/examples/quickstart.json"
