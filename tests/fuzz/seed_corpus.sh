#!/usr/bin/env bash
# Writes the seed corpus of one fuzz target into DIR, one input per file, from tests/data/ and
# the few hand-written seeds in tests/fuzz/seeds/:
#   tests/fuzz/seed_corpus.sh TARGET DIR
set -euo pipefail
target=$1
out=$2
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/tests/data"
seeds="$root/tests/fuzz/seeds"
mkdir -p "$out"

# One file per line of each FILE, named after the file and the line number. Lines over 64 KiB
# (the too-large sample) are left out: libFuzzer sizes its inputs after the largest seed, and
# the size limit is checked before anything is read.
lines() {
  local file n line
  for file in "$@"; do
    n=0
    while IFS= read -r line || [ -n "$line" ]; do
      n=$((n + 1))
      [ -n "$line" ] && [ ${#line} -le 65536 ] && printf '%s' "$line" >"$out/$(basename "$file").$n"
    done <"$file"
  done
}

# Hex text on stdin, as bytes on stdout.
unhex() { printf '%b' "$(sed 's/../\\x&/g')"; }

# One binary file per hex line of FILE.
hex_lines() {
  local n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" | unhex >"$out/$(basename "$1").$n"
  done <"$1"
}

# Little-endian hex of an unsigned integer of $2 bytes.
le() { printf "%0$(($2 * 2))x" "$1" | sed -E 's/(..)/\1 /g' | tr ' ' '\n' | tac | tr -d '\n'; }
ascii_hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
bytes() { echo "$(le ${#1} 4)$(ascii_hex "$1")"; }

# Log records (services/log_record.cc) around the golden event records: from Kafka, from an
# import, and one with an identity conflict.
log_records() {
  local n=0 event topic conflicts
  while IFS= read -r event; do
    n=$((n + 1))
    [ $((n % 8)) -eq 1 ] || continue  # a few are enough: the rest of the bytes are the event
    topic=$(bytes justice.events)
    conflicts=$(le 0 4)
    if [ $((n % 16)) -eq 1 ]; then
      topic=$(bytes "")
    fi
    if [ "$n" -eq 9 ]; then
      conflicts="$(le 1 4)03$(bytes X123456)$(le 7 8)"
    fi
    printf '%s' "01$(le 1700000000000 8)$(le "$n" 8)$(printf '%064d' 0)${topic}$(le 2 4)$(le "$n" 8)${conflicts}$(le $((${#event} / 2)) 4)${event}" |
      unhex >"$out/log_record.$n"
  done < <(cat "$data"/golden/event_records_v*.hex)
}

case "$target" in
  envelope_parser) lines "$data"/*.ndjson ;;
  event_codec) for f in "$data"/golden/event_records_v*.hex; do hex_lines "$f"; done ;;
  hmpps_adapter) lines "$seeds/hmpps_messages.ndjson" ;;
  http_target) lines "$seeds/http_targets.txt" ;;
  log_record) log_records ;;
  projection_codec) for f in "$data"/golden/view_record_v*.hex; do hex_lines "$f"; done ;;
  *) echo "seed_corpus.sh: no fuzz target $target" >&2; exit 2 ;;
esac
