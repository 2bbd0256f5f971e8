#!/usr/bin/env bash
# Runs the fuzz targets (tests/fuzz/) for longer than CI does, keeping what they learn.
#   tools/fuzz.sh                              lists the targets
#   tools/fuzz.sh TARGET [SECONDS] [-- FLAGS]  runs one, 600 s by default; FLAGS go to libFuzzer
#   tools/fuzz.sh all [SECONDS]                runs each in turn
# Each target's corpus grows in build-fuzz/corpus/TARGET (seeded from tests/data/ on the first
# run) and its output is kept in build-fuzz/logs/TARGET.log. An input that crashes is saved as
# build-fuzz/artifacts/TARGET-crash-*: replay it with build-fuzz/tests/fuzz/TARGET_fuzzer FILE,
# and make it a unit test of the normal suite before fixing the code.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-fuzz
targets=(envelope_parser event_codec hmpps_adapter http_target log_record projection_codec)

if [ $# -eq 0 ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
target=$1
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))
[ "${1:-}" = "--" ] && shift

bash tools/setup.sh fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DTHROUGHLINE_FUZZ=ON >/dev/null
cmake --build "$build" -j2

# One run of target $1, further arguments to libFuzzer; prints a summary of how it went.
run() {
  local t=$1 corpus="$build/corpus/$1" log="$build/logs/$1.log" status=0
  shift
  mkdir -p "$build/logs" "$build/artifacts"
  if [ ! -d "$corpus" ]; then
    bash tests/fuzz/seed_corpus.sh "$t" "$corpus"
  fi
  echo "fuzz: $t for $seconds s (log: $log)" >&2
  "$build/tests/fuzz/${t}_fuzzer" "$corpus" -max_total_time="$seconds" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$@" \
    >"$log" 2>&1 || status=$?
  # "#40995 DONE cov: 377 ft: 1528 corp: 257/12612b lim: 108 exec/s: 6832 rss: 119Mb"
  local last
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 |
    sed -E 's/^#([0-9]+).*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/([0-9a-zA-Z]+).*exec\/s: ([0-9]+).*/\1 runs (\6 a second), \2 edges, \3 features, a corpus of \4 inputs (\5)/' ||
    true)
  echo "fuzz: $t: ${last:-no progress}: $([ $status -eq 0 ] && echo 'no crash' ||
    echo "FAILED (exit $status), see $log")"
  return $status
}

if [ "$target" = all ]; then
  failed=0
  for t in "${targets[@]}"; do
    run "$t" "$@" || failed=1
  done
  exit $failed
fi
run "$target" "$@"
