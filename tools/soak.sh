#!/usr/bin/env bash
# The crash soak, in one command: installs what is missing, builds, and runs the ctest label
# `soak`: the crash soak (tests/tools/crash_soak_test.cc: 20 SIGKILLs of the engine while
# 1,000,000 events stream in through the embedded Kafka and readers hammer the API; then every
# event is in the log exactly once and `throughline admin verify` passes; about 12 minutes on
# a 2-core machine) and the load test (tests/tools/load_test.cc: wrk at 200 connections and
# 200 WebSocket subscribers while ingesting; THROUGHLINE_LOAD_SECONDS, THROUGHLINE_LOAD_PERSONS).
#
#   tools/soak.sh                                    the full soak
#   THROUGHLINE_SOAK_EVENTS=100000 THROUGHLINE_SOAK_KILLS=5 tools/soak.sh   a smaller one
#
# Also THROUGHLINE_SOAK_READERS (reader threads, default 4) and THROUGHLINE_SOAK_PARTITIONS
# (default 64). Its figures are printed at the end (ctest -V).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
build=${THROUGHLINE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target throughline tools_test
cd "$build"
ctest -L soak -V "$@"  # -R Crash or -R Load: one of them
