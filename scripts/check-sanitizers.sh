#!/usr/bin/env bash
# Builds Limbo with AddressSanitizer + UBSan in ./build-asan and runs the unit tests, the fuzz corpus
# replays and the SQLite HTTP integration tests (API, Trash, authorization matrix, security, crash and
# fault tests) against that build.
# Too slow for the everyday test command (see docs/RELIABILITY.md): run it before a release.
# Any sanitizer report fails the run: limbod processes write theirs to build-asan/sanitizer-logs/.
# Usage: scripts/check-sanitizers.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
build_dir="${LIMBO_ASAN_BUILD_DIR:-build-asan}"
started=$(date +%s)
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMBO_ENABLE_ASAN=ON -DLIMBO_BUILD_TESTS=ON >/dev/null
# Only what the suites below run (not the CLI, the benchmarks or their tests). The unit tests of the
# binaries not built here are never discovered, so the exclusions below leave exactly these.
cmake --build "$build_dir" -j "${LIMBO_JOBS:-2}" --target limbod unit_core unit_http unit_domain \
  fuzz_request_replay fuzz_router_replay fuzz_multipart_replay fuzz_cursor_replay fuzz_image_replay \
  fuzz_http_parse_replay
built=$(date +%s)
logs="$PWD/$build_dir/sanitizer-logs"
rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp"
# Slower under ASan: fewer rounds of the fault tests and a smaller crash test.
export LIMBO_FAULT_ROUNDS=3 LIMBO_CRASH_IMAGES=400
status=0
(cd "$build_dir" && ctest --output-on-failure -j "${LIMBO_TEST_JOBS:-2}" --timeout 1800 \
   -E '^(postgres|cli|sdk|e2e|bench)\.|\.postgres$|^integration\.failover|_NOT_BUILT$' \
   "$@") || status=1
finished=$(date +%s)
if compgen -G "$logs/*" >/dev/null; then
  echo "Sanitizer reports:"
  for f in "$logs"/*; do echo "== $f"; head -n 60 "$f"; done
  status=1
fi
echo "build $((built - started))s, tests $((finished - built))s"
exit $status
