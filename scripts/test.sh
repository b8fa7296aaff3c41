#!/usr/bin/env bash
# The second README command: install what is missing, build, and run every test suite through CTest
# (unit, integration, CLI, SDK and browser tests). Output ends with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
if [[ -f tests/e2e/package-lock.json ]]; then
  if [[ ! -d tests/e2e/node_modules ]] || [[ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
scripts/build.sh -DLIMBO_BUILD_TESTS=ON
cd "${LIMBO_BUILD_DIR:-build}"
ctest --output-on-failure -j "${LIMBO_TEST_JOBS:-2}" --timeout 900 "$@"
