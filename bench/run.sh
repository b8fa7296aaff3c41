#!/usr/bin/env bash
# Builds Limbo in Release mode and runs every benchmark of SPEC section 5, printing one JSON object
# per run. Each scenario runs RUNS times (default 3); docs/PERFORMANCE.md quotes the medians.
# Usage: bench/run.sh [--quick] [--big]
#   --quick  small sizes only (a minute or two)
#   --big    adds the 1 000 000-image cleanup (needs ~5 GB of disk and several minutes)
# ONLY_HTTP=1 runs only the HTTP scenario. NO_POSTGRES=1 skips the cleanup on PostgreSQL (which starts
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

# Cleanup with the rows in PostgreSQL (a loopback cluster of its own; the same files on disk).
if [[ -z "${ONLY_HTTP:-}" && -z "${NO_POSTGRES:-}" ]]; then
  pg_dir="$work/pg"
  pg_url=$(scripts/pg-cluster.sh start "$pg_dir" $(( 40000 + RANDOM % 20000 )) | tail -n 1)
  if [[ $quick == 1 ]]; then
    run cleanup 10000 --db "$pg_url"
  else
    for n in 10000 100000; do run cleanup $n --db "$pg_url"; done
  fi
  scripts/pg-cluster.sh stop "$pg_dir" >/dev/null
  pg_dir=""
fi

# HTTP: GET /:ws/trash over keep-alive connections, beside nginx serving the same bytes as a file.
items=$([[ $quick == 1 ]] && echo 10000 || echo 100000)
key=$("$B" seed-trash --size "$items" --dir "$work/http" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
"$LIMBOD" serve --data "$work/http" --listen 127.0.0.1:0 --threads 2 > "$work/limbod.out" 2> /dev/null &
limbod_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/limbod.out" && break; sleep 0.1; done
url=$(grep -oE 'http://[0-9.:]+' "$work/limbod.out")
curl -s -H "Authorization: Bearer $key" "$url/bench/trash" > "$work/trash.json"
mkdir -p "$work/nginx"
cp "$work/trash.json" "$work/nginx/trash.json"
port=$(( 20000 + RANDOM % 20000 ))
cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    root $work/nginx;
    default_type application/json;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" -g "daemon off;" &
nginx_pid=$!
sleep 0.5

wrk_json() {  # label url connections [header]
  local label=$1 target=$2 conns=$3 header=${4:-}
  local out
  if [[ -n "$header" ]]; then
    out=$(wrk -t2 -c"$conns" -d"${WRK_SECONDS:-10}"s --latency -H "$header" "$target")
  else
    out=$(wrk -t2 -c"$conns" -d"${WRK_SECONDS:-10}"s --latency "$target")
  fi
  python3 - "$label" "$conns" "$items" <<PY
import re, sys
out = """$out"""
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
sock = re.search(r"Socket errors: (.*)", out)
print('{"scenario":"http-trash","target":"%s","connections":%s,"trashItems":%s,"requestsPerSecond":%.0f,'
      '"p50Ms":%.3f,"p90Ms":%.3f,"p99Ms":%.3f,"non2xx":%s,"socketErrors":"%s"}' % (
      sys.argv[1], sys.argv[2], sys.argv[3], rps, ms(lat["50"]), ms(lat["90"]), ms(lat["99"]),
      errors.group(1) if errors else 0, sock.group(1) if sock else ""))
PY
}

for c in 32 200; do
  wrk_json limbod "$url/bench/trash" $c "Authorization: Bearer $key"
  wrk_json nginx "http://127.0.0.1:$port/trash.json" $c
done
