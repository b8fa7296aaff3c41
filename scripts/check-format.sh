#!/usr/bin/env bash
# Fails when a C++ source of the project differs from what clang-format makes of it with the
# committed .clang-format. `scripts/check-format.sh --fix` rewrites the files instead.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt="${CLANG_FORMAT:-clang-format}"
mapfile -t files < <(git ls-files -- '*.cc' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  exec "$fmt" -i "${files[@]}"
fi
if ! "$fmt" --dry-run --Werror "${files[@]}"; then
  echo "clang-format: the files above are not formatted; run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "clang-format: ${#files[@]} files formatted"
