#!/usr/bin/env bash
# The Trash-over-HTTP table in one command: limbod beside nginx serving the same bytes, in the same
# run, over keep-alive connections (wrk -t2). Prints one JSON object per wrk run, then the tables.
#   GET /:ws/trash?limit=50 (first page, 100 000 items, ~40 KB) at 32 and 200 connections, and a soak
#   at 2 000 connections (max latency, timeouts);
#   GET /:ws, /:ws/:project, /:ws/usage, /:ws/jobs at 32 connections.
# Usage: bench/http.sh            (builds build-release/ first)
# Environment: ITEMS (default 100000), WRK_SECONDS (default 8), THREADS (limbod --threads, default 2),
#   LIMBOD / LIMBO_BENCH (binaries to measure instead of build-release's, e.g. an older build),
#   SKIP_BUILD=1, SOAK=0 to skip the 2 000-connection run, ONLY_TRASH=1 for the Trash rows only.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS="${ITEMS:-100000}"
SECS="${WRK_SECONDS:-8}"
THREADS="${THREADS:-2}"
if [[ -z "${SKIP_BUILD:-}" && -z "${LIMBOD:-}" ]]; then
  scripts/install-deps.sh --with-bench >&2
  LIMBO_TARGETS="limbod limbo_bench" LIMBO_BUILD_DIR=build-release LIMBO_BUILD_TYPE=Release \
    scripts/build.sh -DLIMBO_BUILD_TESTS=OFF >&2
fi
B="${LIMBO_BENCH:-build-release/bench/limbo_bench}"
LIMBOD="${LIMBOD:-build-release/src/app/limbod}"
work=$(mktemp -d "${TMPDIR:-/tmp}/limbo-http.XXXXXX")
chmod 755 "$work"  # nginx workers run as another user
results="$work/results.jsonl"
cleanup() {
  [[ -n "${nginx_pid:-}" ]] && kill "$nginx_pid" 2>/dev/null
  [[ -n "${limbod_pid:-}" ]] && kill "$limbod_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "{\"machine\":{\"cpus\":$(nproc),\"kernel\":\"$(uname -r)\",\"date\":\"$(date -u +%FT%TZ)\",\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"limbod\":\"$LIMBOD\"}}"

key=$("$B" seed-trash --size "$ITEMS" --dir "$work/data" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
"$LIMBOD" serve --data "$work/data" --listen 127.0.0.1:0 --threads "$THREADS" > "$work/limbod.out" 2> /dev/null &
limbod_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/limbod.out" && break; sleep 0.1; done
url=$(grep -oE 'http://[0-9.:]+' "$work/limbod.out")
auth="Authorization: Bearer $key"

# name path: the bytes limbod answers become nginx's file of that name.
declare -A paths=([trash]="/bench/trash?limit=50" [workspace]="/bench" [project]="/bench/live"
  [usage]="/bench/usage" [jobs]="/bench/jobs")
mkdir -p "$work/nginx"
for name in "${!paths[@]}"; do
  curl -sf -H "$auth" "$url${paths[$name]}" > "$work/nginx/$name.json"
done

port=$((20000 + RANDOM % 20000))
cat > "$work/nginx.conf" << CONF
worker_processes 2;
worker_rlimit_nofile 65536;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $work/nginx;
    default_type application/json;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" -g "daemon off;" &
nginx_pid=$!
sleep 0.5

wrk_json() {  # route target label url connections [header]
  local route=$1 target=$2 target_url=$3 conns=$4 header=${5:-}
  local out
  local args=(-t2 -c"$conns" -d"${SECS}s" --latency --timeout 5s)
  if [[ -n "$header" ]]; then
    out=$(wrk "${args[@]}" -H "$header" "$target_url")
  else
    out=$(wrk "${args[@]}" "$target_url")
  fi
  WRK_OUT="$out" python3 - "$route" "$target" "$conns" "$(wc -c < "$work/nginx/$route.json")" << 'PY' | tee -a "$results"
import os, re, sys
out = os.environ["WRK_OUT"]
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
mx = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, re.M)
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
print('{"scenario":"http","route":"%s","target":"%s","connections":%s,"bytes":%s,"requestsPerSecond":%.0f,'
      '"p50Ms":%.3f,"p90Ms":%.3f,"p99Ms":%.3f,"maxMs":%.1f,"non2xx":%s,"timeouts":%s,"socketErrors":%s}' % (
      sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], rps, ms(lat["50"]), ms(lat["90"]), ms(lat["99"]),
      ms(mx.group(1)), errors.group(1) if errors else 0, sock.group(4) if sock else 0,
      sum(int(x) for x in sock.groups()) if sock else 0))
PY
}

both() {  # route connections
  wrk_json "$1" limbod "$url${paths[$1]}" "$2" "$auth"
  wrk_json "$1" nginx "http://127.0.0.1:$port/$1.json" "$2"
}

both trash 32
both trash 200
[[ "${SOAK:-1}" != 0 ]] && both trash 2000
if [[ -z "${ONLY_TRASH:-}" ]]; then
  for r in workspace project usage jobs; do both "$r" 32; done
fi

python3 - "$results" "$(cut -d' ' -f1-3 /proc/loadavg)" << 'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["route"], r["connections"], r["target"]): r for r in rows}
print()
print("load average at the end: %s" % sys.argv[2])
print()
print("| route | bytes | connections | limbod req/s | nginx req/s | ratio | limbod p99 | nginx p99 | p99 ratio | limbod max | timeouts |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for (route, conns, target), l in by.items():
    if target != "limbod":
        continue
    n = by.get((route, conns, "nginx"))
    if not n:
        continue
    print("| %s | %d | %d | %.0f | %.0f | %.0f %% | %.1f ms | %.1f ms | %.1f | %.0f ms | %d |" % (
        route, l["bytes"], conns, l["requestsPerSecond"], n["requestsPerSecond"],
        100.0 * l["requestsPerSecond"] / max(n["requestsPerSecond"], 1), l["p99Ms"], n["p99Ms"],
        l["p99Ms"] / max(n["p99Ms"], 0.001), l["maxMs"], l["timeouts"]))
PY
