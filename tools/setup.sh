#!/usr/bin/env bash
# Installs the Debian packages Throughline needs to build, test and run.
# Fast no-op when everything is already there; uses sudo when not root.
#   tools/setup.sh         what the build, the tests and the demo need
#   tools/setup.sh fuzz    and clang with its libFuzzer and sanitizer runtimes (tests/fuzz/)
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build libssl-dev
  librdkafka-dev librocksdb-dev libjemalloc-dev libcereal-dev libboost1.81-all-dev
  libsimdjson-dev libfmt-dev libspdlog-dev libcli11-dev catch2
  clang-format kcat jq wrk chromium chromium-driver openssl curl
)
if [ "${1:-}" = "fuzz" ]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
