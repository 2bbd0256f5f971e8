#!/usr/bin/env bash
# Runs one fuzz target for a fixed time on a fresh copy of its seed corpus, as ctest does
# (label `fuzz`). What the run finds is kept out of the source tree: the grown corpus is
# deleted afterwards, and an input that crashed is kept in ARTIFACTS for a unit test.
#   tests/fuzz/run_fuzzer.sh FUZZER TARGET SECONDS ARTIFACTS [libFuzzer flags...]
set -euo pipefail
fuzzer=$1
target=$2
seconds=$3
artifacts=$4
shift 4
here="$(cd "$(dirname "$0")" && pwd)"

corpus=$(mktemp -d "${TMPDIR:-/tmp}/throughline-fuzz-$target.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
bash "$here/seed_corpus.sh" "$target" "$corpus"
mkdir -p "$artifacts"

# A slow input is a finding too (-timeout); leaks are (ASan's leak check, on by default).
"$fuzzer" "$corpus" -max_total_time="$seconds" -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$@"
