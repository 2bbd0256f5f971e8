#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest.
#   tools/test.sh              every test but the soak label (unit, integration, e2e, bench-smoke)
#   tools/test.sh -L unit      only one label; any further arguments go to ctest
#   tools/test.sh -L soak      the crash soak and the load test (tools/soak.sh runs them)
#   tools/test.sh --sanitize   AddressSanitizer and UndefinedBehaviorSanitizer, in build-sanitize/,
#                              on the unit and integration tests (unless other labels are given)
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=false
if [ "${1:-}" = "--sanitize" ]; then
  sanitize=true
  shift
fi
bash tools/setup.sh
if $sanitize; then
  build=${THROUGHLINE_BUILD_DIR:-build-sanitize}
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTHROUGHLINE_SANITIZE=ON >/dev/null
  [ $# -eq 0 ] && set -- -L 'unit|integration'
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build=${THROUGHLINE_BUILD_DIR:-build}
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2
# The soak (label soak) only when a label is asked for.
labelled=false
for a in "$@"; do
  case "$a" in -L|-L*|--label-regex*) labelled=true ;; esac
done
$labelled || set -- -LE soak "$@"
cd "$build"
ctest --output-on-failure -j2 "$@"
