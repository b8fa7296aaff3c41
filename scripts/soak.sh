#!/usr/bin/env bash
# Load soak: a Release limbod (build-release) with a seeded workspace, and wrk at 200 connections for
# 60 s over reads, moves to the Trash and restores (scripts/soak.lua). Loopback only.
# Prints request counts, unexpected answers, latency percentiles and limbod's peak RSS; exits non-zero
# on any 5xx, unexpected 4xx or socket error.
# Usage: scripts/soak.sh [SECONDS=60] [CONNECTIONS=200]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
connections="${2:-200}"
projects="${LIMBO_SOAK_PROJECTS:-200}"
scripts/install-deps.sh
command -v wrk >/dev/null || { echo "the soak needs wrk (Debian package wrk): apt-get install wrk" >&2; exit 2; }
# Another build in the same folder would race with this one.
while ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -q "$PWD/build-release\$"; do sleep 3; done
LIMBO_BUILD_DIR=build-release LIMBO_BUILD_TYPE=Release scripts/build.sh -DLIMBO_BUILD_TESTS=OFF
limbod="$PWD/build-release/src/app/limbod"

data=$(mktemp -d /tmp/limbo-soak-XXXXXX)
out="$data/stdout"
cleanup() {
  if [[ -n "${pid:-}" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT
"$limbod" serve --data "$data" --listen 127.0.0.1:0 --threads "${LIMBO_SOAK_THREADS:-4}" >"$out" 2>"$data/log" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$out" && break; sleep 0.1; done
base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out")
key=$("$limbod" bootstrap --data "$data" --workspace soak --email soak@example.com --password "soak password" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')

# Seed: projects with a few images and two versions each (Python, standard library only).
pairs=$(python3 - "$base" "$key" "$projects" <<'PY'
import json, struct, sys, urllib.request, zlib
base, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def call(method, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())
def png(seed):
    def chunk(k, d):
        return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + bytes((seed * 7 + y * 13 + x) % 256 for x in range(24)) for y in range(8))
    rows = rows[:1] + struct.pack(">I", seed) + rows[5:]
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
pairs = []
for i in range(n):
    p = call("POST", "/soak/projects", {"name": f"Soak {i}", "type": "object-detection", "annotation": "x"})["project"]
    for j in range(3):
        call("POST", f"/soak/{p['url']}/upload?name=i{j}.png", raw=png(i * 10 + j))
    for _ in range(2):
        call("POST", f"/soak/{p['url']}/versions")
    pairs.append(f"{p['id']}:{p['url']}")
print(",".join(pairs))
PY
)
echo "seeded $projects projects (3 images, 2 versions each); limbod pid $pid at $base"
rss_before=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
threads=$(( $(nproc) < 4 ? $(nproc) : 4 ))
result=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s scripts/soak.lua "$base" -- soak "$key" "$pairs")
echo "$result"
peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "SOAK rss before=${rss_before}kB peak=${peak}kB ($(nproc) cores, limbod --threads ${LIMBO_SOAK_THREADS:-4}, wrk -t$threads -c$connections -d${seconds}s)"
errors=$(grep -c '"status":5' "$data/log" || true)
echo "SOAK 5xx in limbod log: $errors"
line=$(echo "$result" | grep '^SOAK requests=')
if [[ "$errors" != 0 ]] || ! echo "$line" | grep -q 'unexpected=0 socket_errors=0 timeouts=0'; then
  echo "soak FAILED"
  exit 1
fi
echo "soak passed"
