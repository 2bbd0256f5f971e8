#!/usr/bin/env bash
# Installs what is missing, builds, and shows Throughline doing the most complete thing it can
# do today: validating the sample events of every type, printing them in their normal form, and
# showing how a bad message is refused.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target throughline

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

bold "1. A valid message of every event type, checked and printed in normal form (upcast to the current dataversion):"
build/throughline validate --print tests/data/valid_events.ndjson

bold "2. Messages that break a rule, each refused with its line, JSON path and rule:"
build/throughline validate tests/data/invalid_events.ndjson || true

bold "Where to look next:"
cat <<TXT
  docs/events.md                    the event catalogue (generated: build/throughline catalogue)
  docs/formats.md                   how events are stored, byte by byte
  build/throughline validate FILE   check your own NDJSON before publishing it
TXT
