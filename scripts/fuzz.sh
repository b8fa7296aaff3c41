#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in ./build-fuzz (ASan + UBSan) and runs each for a bounded
# time, starting from the committed seed corpus in fuzz/corpus/<target>/.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]
# New interesting inputs go to build-fuzz/corpus/<target>/ (not committed); a crash leaves
# build-fuzz/crash-<target>-* and stops the script with a non-zero status. Copy a crash into
# fuzz/corpus/<target>/ once fixed: CTest replays that folder (fuzz.<target>).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(request router multipart cursor image http_parse); fi
scripts/install-deps.sh --with-fuzz
build_dir="${LIMBO_FUZZ_BUILD_DIR:-build-fuzz}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DLIMBO_BUILD_FUZZ=ON -DLIMBO_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j "${LIMBO_JOBS:-2}" --target limbo_fuzz
status=0
for t in "${targets[@]}"; do
  work="$build_dir/corpus/$t"
  mkdir -p "$work"
  echo "== fuzz_$t for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=0 "$build_dir/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=4096 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build_dir/crash-$t-" \
      "$work" "fuzz/corpus/$t" 2>"$build_dir/fuzz-$t.log"; then
    echo "fuzz_$t FAILED: see $build_dir/fuzz-$t.log and $build_dir/crash-$t-*"
    tail -n 40 "$build_dir/fuzz-$t.log"
    status=1
  else
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|cov:" "$build_dir/fuzz-$t.log" | tail -n 3
  fi
done
exit $status
