#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest.
#   tools/test.sh              every test but the soak label (unit, integration, e2e, bench-smoke),
#                              then the short fuzz runs (label fuzz, built with clang in build-fuzz/)
#   tools/test.sh -L unit      only one label; any further arguments go to ctest
#   tools/test.sh -L soak      the crash soak and the load test (tools/soak.sh runs them)
#   tools/test.sh --sanitize   AddressSanitizer and UndefinedBehaviorSanitizer, in build-sanitize/,
#                              on the unit and integration tests (unless other labels are given)
#   tools/test.sh --fuzz       only the short fuzz runs (also -L fuzz); THROUGHLINE_FUZZ_SECONDS
#                              sets how long each target runs (default 15); tools/fuzz.sh runs
#                              one for longer
set -euo pipefail
cd "$(dirname "$0")/.."

# The libFuzzer targets and only what they read, with clang (tests/fuzz/CMakeLists.txt).
fuzz() {
  bash tools/setup.sh fuzz
  local build=build-fuzz
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DTHROUGHLINE_FUZZ=ON -DTHROUGHLINE_FUZZ_SECONDS="${THROUGHLINE_FUZZ_SECONDS:-15}" >/dev/null
  cmake --build "$build" -j2
  (cd "$build" && ctest --output-on-failure -j2 -L fuzz)
}

mode=default
case "${1:-}" in
  --sanitize) mode=sanitize; shift ;;
  --fuzz) fuzz; exit ;;
esac
if [ "$*" = "-L fuzz" ]; then
  fuzz
  exit
fi
all=false
[ $# -eq 0 ] && [ "$mode" = default ] && all=true
bash tools/setup.sh
if [ "$mode" = sanitize ]; then
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
(cd "$build" && ctest --output-on-failure -j2 "$@")
if $all; then
  fuzz
fi
