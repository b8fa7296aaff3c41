#!/usr/bin/env bash
# Configures and builds Limbo in ./build (or $LIMBO_BUILD_DIR) with Ninja, two jobs, ccache when present.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${LIMBO_BUILD_DIR:-build}"
build_type="${LIMBO_BUILD_TYPE:-RelWithDebInfo}"
# Let ccache reuse objects across clones in different folders.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@" >/dev/null
# LIMBO_TARGETS="a b" builds only those targets.
targets=()
for t in ${LIMBO_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "${LIMBO_JOBS:-2}" "${targets[@]}"
