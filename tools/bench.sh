#!/usr/bin/env bash
# The benchmark suite: installs what is missing (and gnuplot for the plot), builds Release, and
# runs `throughline bench`, which prints one table (each workload beside the raw limit measured
# in the same run) and writes it to docs/performance/ as bench.json, bench.txt and bench.png.
#
#   tools/bench.sh                      the full suite (1,000,000 events; about 10 minutes), then
#                                       the crash soak and load test (tools/soak.sh: about 15
#                                       minutes more)
#   tools/bench.sh --no-soak            the benchmarks only
#   tools/bench.sh --events 200000      any `throughline bench` option
#
# Run it on a quiet machine: the ratios are robust to noise, the absolute figures are not.
set -euo pipefail
cd "$(dirname "$0")/.."

soak=true
if [ "${1:-}" = "--no-soak" ]; then
  soak=false
  shift
fi

bash tools/setup.sh
if ! command -v gnuplot >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null ||
    echo "bench: gnuplot could not be installed: no plot, the table and JSON are written" >&2
fi
build=${THROUGHLINE_BENCH_BUILD_DIR:-build-release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target throughline
"$build/throughline" bench --out docs/performance "$@"
if $soak; then
  bash tools/soak.sh
fi
