#!/usr/bin/env bash
# run_install_test.sh — proves that a third party can build a Vigil plugin OUT
# OF TREE against the installed SDK alone, and that the installed `vigil` runs it.
#
#   run_install_test.sh BUILD_DIR SOURCE_DIR [CMAKE_COMMAND] [CXX_COMPILER]
#
# BUILD_DIR must be a configured and fully built Vigil build (the `vigil`
# executable and the plugins are installed from it). Steps:
#   1. cmake --install BUILD_DIR --prefix <tmp>/prefix; check the installed layout
#   2. find_package(Vigil) version rules (SameMajorVersion) and exported variables
#   3. copy sdk/examples/zscore_detector to <tmp>, configure it with
#      -DCMAKE_PREFIX_PATH=<tmp>/prefix, build it (no warnings), check that no
#      compile command points into the source or build tree
#   4. the .so exports exactly vigil_plugin_entry (nm -D --defined-only)
#   5. cmake --install of the example puts it in <prefix>/lib/vigil/plugins
#   6. <tmp>/prefix/bin/vigil plugins --json lists zscore_example, chosen cpu
#   7. vigil run on generated .npy data: exit 0, AUROC a number > 0.9;
#      the model saved by run (-o) and scored by `vigil score` gives identical scores
#   8. errors: a parameter outside the schema exits 4 naming the key; NaN in the
#      training data fails naming the non-finite value
# Temporary files are removed on success and kept (path printed) on failure.
set -euo pipefail

die() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { echo "== $*"; }

if [[ $# -lt 2 ]]; then
    echo "usage: $0 BUILD_DIR SOURCE_DIR [CMAKE_COMMAND] [CXX_COMPILER]" >&2
    exit 2
fi
[[ -f "$1/CMakeCache.txt" ]] || die "'$1' is not a configured CMake build folder (no CMakeCache.txt)"
[[ -f "$2/sdk/examples/zscore_detector/CMakeLists.txt" ]] || die "'$2' is not the Vigil source folder"
BUILD_DIR=$(cd "$1" && pwd)
SRC_DIR=$(cd "$2" && pwd)
CMAKE=${3:-cmake}
CXX_COMPILER=${4:-}
JOBS=${VIGIL_TEST_JOBS:-2}

command -v "$CMAKE" >/dev/null || die "cmake not found ('$CMAKE')"
command -v nm >/dev/null || die "nm (binutils) not found: needed to check exported symbols"
# JSON checks and .npy files use the Python standard library only.
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3 || true)
[[ -n $PYTHON ]] || die "python3 not found: needed to write .npy files and read JSON"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-install-test.XXXXXX")
cleanup() {
    local rc=$?
    if [[ $rc -eq 0 ]]; then
        rm -rf "$WORK"
    else
        echo "install test FAILED (exit $rc); files kept for inspection in $WORK" >&2
    fi
}
trap cleanup EXIT

# run_logged NAME CMD...: runs CMD with its output in $WORK/NAME.log; on failure
# prints the log and stops.
run_logged() {
    local name=$1
    shift
    if ! "$@" >"$WORK/$name.log" 2>&1; then
        echo "---- output of: $* ----" >&2
        cat "$WORK/$name.log" >&2
        echo "----" >&2
        die "$name failed (command above)"
    fi
}

# The ordinary plugin search of the installed host must not see the caller's folders.
unset VIGIL_PLUGIN_PATH

# ---------------------------------------------------------------- 1. install
PREFIX=$WORK/prefix
step "installing $BUILD_DIR into $PREFIX"
if ! "$CMAKE" --install "$BUILD_DIR" --prefix "$PREFIX" >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log" >&2
    die "cmake --install failed: is the build complete? (cmake --build $BUILD_DIR)"
fi
CONFIG=$(find "$PREFIX" -name VigilConfig.cmake -print -quit)
[[ -n $CONFIG ]] || die "VigilConfig.cmake was not installed"
CONFIG_DIR=$(dirname "$CONFIG")
[[ $CONFIG_DIR == "$PREFIX"/lib*/cmake/Vigil ]] || die "VigilConfig.cmake installed in $CONFIG_DIR, expected <prefix>/<libdir>/cmake/Vigil"
LIBDIR=${CONFIG_DIR#"$PREFIX"/}
LIBDIR=${LIBDIR%/cmake/Vigil}
for f in include/vigil/vigil.h include/vigil/vigil_types.h include/vigil/vigil_host.h include/vigil/vigil_plugin.h \
    include/vigil/cpp/plugin.hpp \
    "$LIBDIR/cmake/Vigil/VigilConfigVersion.cmake" "$LIBDIR/cmake/Vigil/VigilTargets.cmake" \
    "$LIBDIR/cmake/Vigil/VigilInstalledPlugin.cmake" "$LIBDIR/cmake/Vigil/vigil_plugin.map" bin/vigil; do
    [[ -e "$PREFIX/$f" ]] || die "not installed: $f"
done
INSTALLED_PLUGINS=$PREFIX/$LIBDIR/vigil/plugins
[[ -d $INSTALLED_PLUGINS ]] || die "no installed plugin folder $INSTALLED_PLUGINS"
ls "$INSTALLED_PLUGINS"/vigil-roc-*.so >/dev/null 2>&1 || die "the roc evaluator plugin was not installed in $INSTALLED_PLUGINS"
VIGIL=$PREFIX/bin/vigil
run_logged vigil-version "$VIGIL" --version

# ------------------------------------------------- 2. find_package rules
step "checking find_package(Vigil) version rules and variables"
VERSION=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
[[ $VERSION =~ ^([0-9]+)\.([0-9]+) ]] || die "cannot read the project version from $BUILD_DIR/CMakeCache.txt"
MAJOR=${BASH_REMATCH[1]}
mkdir -p "$WORK/version-check"
cat >"$WORK/version-check/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(vigil_version_check LANGUAGES NONE)
find_package(Vigil $((MAJOR + 1)) QUIET)
if(Vigil_FOUND)
  message(FATAL_ERROR "find_package(Vigil $((MAJOR + 1))) accepted Vigil ${VERSION}: the version file must require the same major version")
endif()
find_package(Vigil ${MAJOR} REQUIRED)
foreach(v Vigil_VERSION Vigil_PLUGIN_DIR VIGIL_PLUGIN_INSTALL_DIR Vigil_ABI_VERSION_MAJOR)
  if(NOT DEFINED \${v})
    message(FATAL_ERROR "VigilConfig.cmake does not set \${v}")
  endif()
endforeach()
if(NOT Vigil_VERSION VERSION_EQUAL "${VERSION}")
  message(FATAL_ERROR "Vigil_VERSION is \${Vigil_VERSION}, expected ${VERSION}")
endif()
if(NOT Vigil_PLUGIN_DIR STREQUAL "${INSTALLED_PLUGINS}")
  message(FATAL_ERROR "Vigil_PLUGIN_DIR is \${Vigil_PLUGIN_DIR}, expected ${INSTALLED_PLUGINS}")
endif()
if(NOT TARGET Vigil::sdk OR NOT COMMAND vigil_add_external_plugin)
  message(FATAL_ERROR "Vigil::sdk or vigil_add_external_plugin() is missing")
endif()
EOF
run_logged version-check "$CMAKE" -S "$WORK/version-check" -B "$WORK/version-check/build" -DCMAKE_PREFIX_PATH="$PREFIX"

# ------------------------------------------ 3. out-of-tree build of the example
step "building sdk/examples/zscore_detector out of tree"
cp -R "$SRC_DIR/sdk/examples/zscore_detector" "$WORK/zscore_detector"
EX_BUILD=$WORK/zscore-build
cfg=(-S "$WORK/zscore_detector" -B "$EX_BUILD" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
[[ -n $CXX_COMPILER ]] && cfg+=(-DCMAKE_CXX_COMPILER="$CXX_COMPILER")
run_logged example-configure "$CMAKE" "${cfg[@]}"
FOUND_DIR=$(sed -n 's/^Vigil_DIR:[A-Z]*=//p' "$EX_BUILD/CMakeCache.txt")
[[ $FOUND_DIR -ef $CONFIG_DIR ]] || die "the example found Vigil in '$FOUND_DIR', not in the test prefix ($CONFIG_DIR)"
run_logged example-build "$CMAKE" --build "$EX_BUILD" -j "$JOBS"
if grep -n "warning:" "$WORK/example-build.log" >&2; then
    die "the example plugin does not build warning-free (-Wall -Wextra)"
fi
for forbidden in "$SRC_DIR/sdk/include" "$SRC_DIR/framework" "$BUILD_DIR"; do
    if grep -qF -- "$forbidden" "$EX_BUILD/compile_commands.json"; then
        die "the example's compile commands refer to $forbidden: it must use the installed SDK only"
    fi
done

# -------------------------------------------------------- 4. exported symbols
PLUGIN_DIR=$EX_BUILD/plugins
SO=$PLUGIN_DIR/vigil-zscore_example-cpu.so
[[ -f $SO ]] || die "expected $SO (vigil_add_external_plugin output); got: $(ls -A "$EX_BUILD")"
step "checking the symbols exported by $(basename "$SO")"
EXPORTS=$(nm -D --defined-only "$SO" | awk 'NF >= 3 {print $3}' | sort -u)
[[ $EXPORTS == "vigil_plugin_entry" ]] || die "$SO must export only vigil_plugin_entry; it exports:
$EXPORTS"

# --------------------------------------------------- 5. install of the example
step "installing the example plugin with its own cmake --install"
run_logged example-install "$CMAKE" --install "$EX_BUILD" --prefix "$WORK/ext-prefix"
[[ -f "$WORK/ext-prefix/$LIBDIR/vigil/plugins/vigil-zscore_example-cpu.so" ]] ||
    die "the example's install did not put vigil-zscore_example-cpu.so in <prefix>/$LIBDIR/vigil/plugins"

# Search the example's folder and the installed plugins first (the host's
# built-in folders are searched after these; the first library of a name wins).
PDIRS=(--plugin-dir "$PLUGIN_DIR" --plugin-dir "$INSTALLED_PLUGINS")

# ----------------------------------------------------------- 6. vigil plugins
step "vigil plugins --json"
run_logged plugins "$VIGIL" plugins "${PDIRS[@]}" --json
"$PYTHON" - "$WORK/plugins.log" "$SO" "$INSTALLED_PLUGINS" <<'EOF' || die "vigil plugins does not list zscore_example as expected (see above)"
import json, sys
out = json.load(open(sys.argv[1]))
so, installed = sys.argv[2], sys.argv[3]
byname = {(p["kind"], p["name"]): p for p in out["plugins"]}
p = byname.get(("detector", "zscore_example"))
if p is None:
    sys.exit("zscore_example is not listed; refused: %s" % json.dumps(out["refused"], indent=1))
if p["chosen"] != "cpu":
    sys.exit("zscore_example: chosen %r (why: %s), expected 'cpu'" % (p["chosen"], p.get("why")))
paths = [v["path"] for v in p["variants"]]
if paths != [so]:
    sys.exit("zscore_example variants come from %s, expected only %s" % (paths, so))
if p["version"] != "1.0.0":
    sys.exit("zscore_example version %r, expected 1.0.0" % p["version"])
roc = byname.get(("evaluator", "roc"))
if roc is None or not roc["variants"][0]["path"].startswith(installed + "/"):
    sys.exit("the roc evaluator is not loaded from the installed plugin folder %s: %s" % (installed, roc))
for r in out["refused"]:
    if r["path"] == so:
        sys.exit("zscore_example was refused: " + r["reason"])
print("zscore_example listed: detector, version 1.0.0, chosen cpu")
EOF

# ----------------------------------------------------------------- 7. vigil run
DATA=$WORK/data
mkdir -p "$DATA"
step "writing .npy data (normal ~ N(0,1), anomalies ~ N(3,1), 8 features)"
"$PYTHON" - "$DATA" <<'EOF'
# .npy writer from the standard library (format 1.0: magic, header dict, C-order data).
import random, struct, sys
out = sys.argv[1]
def save(name, descr, fmt, rows):
    shape = (len(rows),) + ((len(rows[0]),) if isinstance(rows[0], list) else ())
    flat = [v for r in rows for v in r] if isinstance(rows[0], list) else rows
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open("%s/%s" % (out, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(flat), fmt), *flat))
rng = random.Random(7)
D = 8
sample = lambda mu: [rng.gauss(mu, 1.0) for _ in range(D)]
save("train.npy", "<f4", "f", [sample(0.0) for _ in range(300)])
test = [(sample(0.0), 0) for _ in range(100)] + [(sample(3.0), 1) for _ in range(100)]
rng.shuffle(test)
save("test.npy", "<f4", "f", [x for x, _ in test])
save("test_labels.npy", "<i4", "i", [y for _, y in test])
bad = [sample(0.0) for _ in range(50)]
bad[17][3] = float("nan")
save("train_nan.npy", "<f4", "f", bad)
EOF
write_pipeline() { # FILE TRAIN PARAMS_JSON
    cat >"$1" <<EOF
{
  "name": "install-test zscore_example",
  "data": {
    "train": {"format": "npy", "images": "$2"},
    "test": {"format": "npy", "images": "test.npy", "labels": "test_labels.npy"}
  },
  "stages": [{"detector": "zscore_example"$3}],
  "evaluate": ["roc"]
}
EOF
}
write_pipeline "$DATA/pipeline.json" train.npy ""
step "vigil run pipeline.json --json"
set +e
"$VIGIL" run "$DATA/pipeline.json" "${PDIRS[@]}" --json -q -o "$DATA/model.vigil" --scores-out "$DATA/run_scores.csv" \
    >"$WORK/run.json" 2>"$WORK/run.err"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    cat "$WORK/run.err" >&2
    die "vigil run exited with $rc (expected 0)"
fi
"$PYTHON" - "$WORK/run.json" <<'EOF' || die "vigil run result is not as expected (see above)"
import json, math, sys
r = json.load(open(sys.argv[1]))
auroc = r.get("metrics", {}).get("roc", {}).get("auroc")
if not isinstance(auroc, (int, float)) or isinstance(auroc, bool) or not math.isfinite(auroc):
    sys.exit("no numeric metrics.roc.auroc in: " + json.dumps(r, indent=1))
if (r["n_train"], r["n_test"], r["n_test_normal"], r["n_test_anomalous"]) != (300, 200, 100, 100):
    sys.exit("unexpected sample counts: " + json.dumps(r, indent=1))
if not any("zscore_example" in b for b in r.get("backends", [])):
    sys.exit("zscore_example is not among the stages run: %s" % r.get("backends"))
if auroc <= 0.9:
    sys.exit("AUROC %.4f <= 0.9 on clearly shifted anomalies" % auroc)
print("vigil run: AUROC = %.4f" % auroc)
EOF

step "model round trip: vigil score on the model saved by vigil run"
run_logged score "$VIGIL" score "$DATA/model.vigil" "${PDIRS[@]}" -q --out "$DATA/loaded_scores.csv"
"$PYTHON" - "$DATA/run_scores.csv" "$DATA/loaded_scores.csv" <<'EOF' || die "scores after save/load differ from the fitted pipeline's"
import csv, sys
a, b = ([r["score"] for r in csv.DictReader(open(p))] for p in sys.argv[1:3])
if len(a) != 200 or a != b:
    sys.exit("run scores (%d) and loaded-model scores (%d) differ" % (len(a), len(b)))
print("200 scores identical after save/load")
EOF

# ----------------------------------------------------------------- 8. errors
# expect_failure NAME PIPELINE ALLOWED_EXIT_CODES REGEX
expect_failure() {
    local name=$1 pipeline=$2 codes=$3 pattern=$4 rc
    set +e
    "$VIGIL" run "$pipeline" "${PDIRS[@]}" -q >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    set -e
    if [[ " $codes " != *" $rc "* ]] || ! grep -Eq -- "$pattern" "$WORK/$name.err"; then
        cat "$WORK/$name.err" >&2
        die "$name: vigil run exited with $rc and the message above; expected exit code in {$codes} and a message matching /$pattern/"
    fi
    echo "   $name: exit $rc, $(head -n 1 "$WORK/$name.err")"
}
step "errors are reported clearly"
write_pipeline "$DATA/bad_params.json" train.npy ', "params": {"std_floor": 0}'
expect_failure bad-params "$DATA/bad_params.json" "4" "std_floor"
write_pipeline "$DATA/nan_train.json" train_nan.npy ""
# The plugin rejects NaN (exit 5, plugin failed); a data reader that checks first exits 3.
expect_failure nan-train "$DATA/nan_train.json" "3 5" "NaN|non-finite|not finite"

echo "PASS: installed SDK builds an out-of-tree plugin that the installed vigil runs"
