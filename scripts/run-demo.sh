#!/usr/bin/env bash
# The first README command: install what is missing, build, and run limbod with demo data on
# http://127.0.0.1:8080 (data in ./var). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
LIMBO_BUILD_DIR=build-release LIMBO_BUILD_TYPE=Release scripts/build.sh -DLIMBO_BUILD_TESTS=OFF
exec build-release/src/app/limbod serve --data ./var --listen "${LIMBO_LISTEN:-127.0.0.1:8080}" --demo "$@"
