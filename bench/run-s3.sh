#!/usr/bin/env bash
# The object-store benchmarks (docs/PERFORMANCE.md, "Blobs in S3"), against a throwaway Swift s3api
# server on loopback (scripts/s3-server.sh), or against BLOBS=s3://... with AWS_* set.
# Usage: bench/run-s3.sh [--quick]   (--quick: 1 000 images instead of 10 000)
set -euo pipefail
cd "$(dirname "$0")/.."
size=10000
[[ "${1:-}" == "--quick" ]] && size=1000
LIMBO_TARGETS="limbo_bench_s3" LIMBO_BUILD_DIR=build-release LIMBO_BUILD_TYPE=Release \
  scripts/build.sh -DLIMBO_BUILD_TESTS=OFF >&2
B=build-release/bench/limbo_bench_s3
if [[ -z "${BLOBS:-}" ]]; then
  s3_dir=$(mktemp -d "${TMPDIR:-/tmp}/limbo-bench-s3.XXXXXX")
  trap 'scripts/s3-server.sh stop "$s3_dir" >/dev/null 2>&1 || true' EXIT
  set -a
  # shellcheck disable=SC1090
  source <(scripts/s3-server.sh start "$s3_dir")
  set +a
  BLOBS="s3://$LIMBO_TEST_S3_BUCKET?endpoint=$LIMBO_TEST_S3_ENDPOINT"
fi
echo "{\"machine\":{\"cpus\":$(nproc),\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"date\":\"$(date -u +%FT%TZ)\"}}"
"$B" s3-cleanup --size "$size" --blobs "$BLOBS"
"$B" s3-transfer --size 20 --blobs "$BLOBS"
