#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest.
#   tools/test.sh              everything ctest runs by default (unit, integration, e2e)
#   tools/test.sh -L unit      only one label; any further arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
build=${THROUGHLINE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2
cd "$build"
ctest --output-on-failure -j2 "$@"
