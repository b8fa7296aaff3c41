#!/usr/bin/env bash
# Installs the Debian packages Limbo needs to build, run and test. Does nothing when all are present.
# Usage: scripts/install-deps.sh [--with-tests]
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config ccache
          libboost-dev nlohmann-json3-dev libsqlite3-dev libsodium-dev libstb-dev
          libcurl4-openssl-dev libssl-dev libcli11-dev libspdlog-dev libpqxx-dev libtomlplusplus-dev help2man)
if [[ "${1:-}" == "--with-bench" ]]; then
  packages+=(wrk nginx-light curl python3 postgresql)
fi
if [[ "${1:-}" == "--with-fuzz" ]]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
if [[ "${1:-}" == "--with-tests" ]]; then
  packages+=(libgtest-dev libgmock-dev zlib1g-dev python3 python3-pytest python3-venv chromium nodejs npm
             postgresql sqlite3 curl clang-format git prometheus
             swift swift-proxy swift-account swift-container swift-object python3-swift memcached)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # A tool installed another way (e.g. node) counts as present.
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
    esac
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
