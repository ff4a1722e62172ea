#!/usr/bin/env bash
# test.sh — README command 2: set up (packages + build), then run every test
# with ctest. Exits non-zero if any test fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
vigil_build                 # everything, tests included
echo
cd "$VIGIL_BUILD_DIR"
exec ctest --output-on-failure -j "$VIGIL_JOBS" --timeout 900
