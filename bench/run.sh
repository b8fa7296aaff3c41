#!/usr/bin/env bash
# Builds Limbo in Release mode and runs every benchmark of SPEC section 5, printing one JSON object
# per run. Each scenario runs RUNS times (default 3); docs/PERFORMANCE.md quotes the medians.
# Usage: bench/run.sh [--quick] [--big]
#   --quick  small sizes only (a minute or two)
#   --big    adds the 1 000 000-image cleanup (needs ~5 GB of disk and several minutes)
# ONLY_HTTP=1 runs only the HTTP scenarios (bench/http.sh). NO_POSTGRES=1 skips the cleanup on PostgreSQL (which starts
# a throwaway cluster with scripts/pg-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
big=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --big) big=1 ;;
  esac
done
RUNS="${RUNS:-3}"
scripts/install-deps.sh --with-bench >&2
LIMBO_TARGETS="limbod limbo_bench" LIMBO_BUILD_DIR=build-release LIMBO_BUILD_TYPE=Release \
  scripts/build.sh -DLIMBO_BUILD_TESTS=OFF >&2
B=build-release/bench/limbo_bench
LIMBOD=build-release/src/app/limbod
work=$(mktemp -d "${TMPDIR:-/tmp}/limbo-bench.XXXXXX")
chmod 755 "$work"  # nginx workers run as another user
trap '[[ -n "${pg_dir:-}" ]] && scripts/pg-cluster.sh stop "$pg_dir" >/dev/null 2>&1; rm -rf "$work"; [[ -n "${nginx_pid:-}" ]] && kill "$nginx_pid" 2>/dev/null; [[ -n "${limbod_pid:-}" ]] && kill "$limbod_pid" 2>/dev/null; true' EXIT

echo "{\"machine\":{\"cpus\":$(nproc),\"memGiB\":$(free -g | awk '/Mem:/{print $2}'),\"kernel\":\"$(uname -r)\",\"date\":\"$(date -u +%FT%TZ)\"}}"

run() {  # scenario size [extra args]
  local scenario=$1 size=$2
  shift 2
  for ((i = 0; i < RUNS; i++)); do
    "$B" "$scenario" --size "$size" --dir "$work/$scenario-$size" "$@"
  done
}

if [[ -n "${ONLY_HTTP:-}" ]]; then
  :  # skip to the HTTP scenario
elif [[ $quick == 1 ]]; then
  run trash-list 10000
  run trash-project 10000
  run restore-all 1000
  run cleanup 10000
  run usage 10000
else
  for n in 10000 100000; do run trash-list $n; done
  for n in 10000 100000 1000000; do run trash-project $n; done
  for n in 1000 10000; do run restore-all $n; done
  for n in 10000 100000; do run cleanup $n; done
  [[ $big == 1 ]] && RUNS=1 run cleanup 1000000
  for n in 10000 1000000; do run usage $n; done
fi

# Cleanup, the Trash listing and Restore All with the rows in PostgreSQL (a loopback cluster of its own; the same files on disk).
if [[ -z "${ONLY_HTTP:-}" && -z "${NO_POSTGRES:-}" ]]; then
  pg_dir="$work/pg"
  pg_url=$(scripts/pg-cluster.sh start "$pg_dir" $(( 40000 + RANDOM % 20000 )) | tail -n 1)
  if [[ $quick == 1 ]]; then
    run cleanup 10000 --db "$pg_url"
    run trash-list 10000 --db "$pg_url"
    run restore-all 1000 --db "$pg_url"
  else
    for n in 10000 100000; do run cleanup $n --db "$pg_url"; done
    for n in 10000 100000; do run trash-list $n --db "$pg_url"; done
    for n in 1000 10000; do run restore-all $n --db "$pg_url"; done
  fi
  scripts/pg-cluster.sh stop "$pg_dir" >/dev/null
  pg_dir=""
fi

# HTTP: the Trash and the other hot reads over keep-alive connections, beside nginx serving the same
# bytes (bench/http.sh, which prints its own table).
items=$([[ $quick == 1 ]] && echo 10000 || echo 100000)
ITEMS=$items SKIP_BUILD=1 LIMBOD="$LIMBOD" LIMBO_BENCH="$B" bench/http.sh
