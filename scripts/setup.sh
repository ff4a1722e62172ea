#!/usr/bin/env bash
# setup.sh — install what is missing (Debian 12 packages) and define vigil_build.
#
# Sourced by scripts/quickstart.sh and scripts/test.sh so both README commands
# do the same set-up: sourcing installs missing packages; each script then calls
# vigil_build for what it needs. Packages already installed and work already
# built are skipped: the build folder (default ./build, or $VIGIL_BUILD_DIR)
# is kept between runs.
set -euo pipefail

VIGIL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VIGIL_BUILD_DIR="${VIGIL_BUILD_DIR:-$VIGIL_ROOT/build}"
VIGIL_JOBS="${VIGIL_JOBS:-$(nproc)}"

# Everything the build, the tests and the quickstart need, from Debian's archive.
# ocl-icd-opencl-dev: oneDNN's CMake config (dnnl-config.cmake) finds OpenCL;
# libdnnl-dev only recommends it, and we install without recommends.
VIGIL_PACKAGES=(
  g++ cmake make pkg-config
  libdnnl-dev ocl-icd-opencl-dev libboost-dev libboost-program-options-dev libboost-filesystem-dev
  nlohmann-json3-dev doctest-dev libeigen3-dev libstb-dev zlib1g-dev
  dataset-fashion-mnist python3 binutils
)

vigil_install_packages() {
  local missing=()
  for p in "${VIGIL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#VIGIL_PACKAGES[@]} Debian packages already installed"
    return 0
  fi
  echo "setup: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# vigil_build [TARGET]: build everything, or only TARGET (e.g. vigil_runtime).
vigil_build() {
  # CUDA variants build when /usr/local/cuda (toolkit + cuBLAS + cuDNN) is there.
  if [ ! -f "$VIGIL_BUILD_DIR/CMakeCache.txt" ]; then
    echo "setup: configuring $VIGIL_BUILD_DIR"
    cmake -S "$VIGIL_ROOT" -B "$VIGIL_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
  fi
  echo "setup: building ${1:-everything} with $VIGIL_JOBS jobs (only what changed)"
  cmake --build "$VIGIL_BUILD_DIR" -j "$VIGIL_JOBS" ${1:+--target "$1"}
}

vigil_install_packages
