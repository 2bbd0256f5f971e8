#!/usr/bin/env bash
# The README's first command, as a user runs it: tools/demo.sh starts the engine, publishes a
# (small) synthetic region and prints what to look at; then every command it printed is run
# against the engine it left running, Ctrl-C stops it, and a second run reuses the data.
#
#   tests/tools/demo_test.sh SOURCE_DIR BUILD_DIR      (ctest runs it: label e2e)
set -euo pipefail
source_dir=$1
build_dir=$2
cd "$source_dir"

work=$(mktemp -d)
demo_group=""
cleanup() {
  [ -n "$demo_group" ] && kill -KILL -- "-$demo_group" 2>/dev/null || true
  if [ "${THROUGHLINE_KEEP_TEST_DIRS:-}" = 1 ]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/demo*.out; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 60 "$f" >&2; }
  done
  if [ -f "$work/data/engine.log" ]; then
    echo "--- engine.log" >&2
    tail -n 30 "$work/data/engine.log" >&2
  fi
  exit 1
}

export THROUGHLINE_BUILD_DIR=$build_dir
export THROUGHLINE_DEMO_DATA=$work/data
export THROUGHLINE_DEMO_PERSONS=${THROUGHLINE_DEMO_PERSONS:-2000}
export THROUGHLINE_DEMO_PORT=0

# The demo in a process group of its own (job control on), so that Ctrl-C can be sent to the
# whole group as a terminal sends it; without job control a background job ignores SIGINT.
set -m
bash tools/demo.sh >"$work/demo1.out" 2>&1 &
demo=$!
demo_group=$demo
set +m
for _ in $(seq 600); do
  grep -q 'Ctrl-C stops it' "$work/demo1.out" && break
  if ! kill -0 "$demo" 2>/dev/null; then
    wait "$demo" && rc=0 || rc=$?
    fail "tools/demo.sh exited ($rc) before it was ready"
  fi
  sleep 0.5
done
grep -q 'Ctrl-C stops it' "$work/demo1.out" || fail "tools/demo.sh was not ready after 300 s"
# As read on a terminal: without the bold's escape sequences.
out=$work/demo1.txt
sed 's/\x1b\[[0-9;]*m//g' "$work/demo1.out" >"$out"

# What it printed about the store and its people.
grep -q "Publishing a synthetic Wales: $THROUGHLINE_DEMO_PERSONS people" "$out" ||
  fail "no publishing line"
events=$(awk '$1 == "events" {gsub(",", "", $2); print $2; exit}' "$out")
[ "${events:-0}" -gt "$THROUGHLINE_DEMO_PERSONS" ] ||
  fail "admin stats printed no events line with more events than people: '${events:-}'"
# Persons beside views: those with no events left have no view, and the views line says so.
persons=$(awk '$1 == "persons" {gsub(",", "", $2); print $2; exit}' "$out")
views=$(awk '$1 == "views" {gsub(",", "", $2); print $2; exit}' "$out")
[ "${views:-0}" -gt 0 ] && [ "$views" -le "${persons:-0}" ] ||
  fail "persons '$persons' and views '$views'"
if [ "$persons" -gt "$views" ]; then
  grep -Eq "^views +[0-9,]+ \(none for $((persons - views)) persons with no events left\)$" "$out" ||
    fail "the views line does not say that $((persons - views)) persons have no view"
else
  grep -Eq '^views +[0-9,]+$' "$out" ||
    fail "the views line has a note though every person has a view"
fi
grep -q '^The most prolific (id:[0-9]*):' "$out" || fail "the most prolific person was not shown"
stages='pre_conviction|awaiting_sentence|in_custody|on_licence|community_supervision'
stages+='|post_sentence|deceased|removed_from_uk'
grep -Eq "^  ($stages)" "$out" ||
  fail "no person's stage was shown"
grep -Eq '^  IOM cohort +[1-9][0-9]*$' "$out" || fail "the IOM cohort was empty or missing"

# Each command it printed, run as printed (continuation lines joined; a trailing comment after
# three spaces dropped; the backup written under this test's directory).
printed() {
  awk '/\\$/ {sub(/ *\\$/, " "); line = line $0; next} {print line $0; line = ""}' "$out" |
    sed -E 's/^ +//; s/   +[A-Za-z].*$//' | grep -E "^$1" || fail "no printed command matching '$1'"
}
url=$(grep -Eo 'http://[0-9.]+:[0-9]+/#token=[^ ]+' "$out" | head -n 1)
[ -n "$url" ] || fail "no dashboard address printed"
curl -fsS "${url%%/#*}/" | grep -qi '<html' || fail "the dashboard at ${url%%/#*}/ served no page"

person=$(printed 'curl -H .*/v1/persons/' | head -n 1)
eval "${person/curl /curl -fsS }" | jq -e '.view.stage | length > 0' >/dev/null ||
  fail "the printed person request did not answer a view: $person"
cohort=$(printed 'curl -H .*/v1/cohorts/iom')
eval "${cohort/curl /curl -fsS }" | jq -e '.persons | length > 0' >/dev/null ||
  fail "the printed cohort request did not answer members: $cohort"
metrics=$(printed 'curl http.*/metrics')
eval "${metrics/curl /curl -fsS }" | grep -q '^throughline_' ||
  fail "the printed metrics request: $metrics"

replays=$(printed '.*/throughline replay ')
[ "$(wc -l <<<"$replays")" -eq 2 ] || fail "expected two printed replay commands, got: $replays"
while read -r replay; do
  answer=$(eval "$replay") || fail "the printed replay failed: $replay"
  [ -n "$answer" ] || fail "the printed replay answered nothing: $replay"
done <<<"$replays"

backup=$(printed '.*/throughline admin backup ')
eval "${backup//\/tmp\/throughline-backup/$work/backup}" >/dev/null ||
  fail "the printed backup failed: $backup"
[ -n "$(ls -A "$work/backup")" ] || fail "the printed backup wrote nothing"
verify=$(printed '.*/throughline admin verify ')
if ! eval "$verify" >"$work/verify.out" 2>&1; then
  cat "$work/verify.out" >&2
  fail "the printed verify failed: $verify"
fi
audit=$(printed '.*/throughline audit ')
eval "$audit" >"$work/audit.out" || fail "the printed audit command failed: $audit"
[ "$(jq -c 'select(.action != null)' "$work/audit.out" | wc -l)" -eq 3 ] ||
  fail "the printed audit command did not print three audit records: $audit: $(cat "$work/audit.out")"
eval "${audit%%|*}" | grep -q '"demo: serious case review"' ||
  fail "the audit trail does not hold the printed replay's reason: ${audit%%|*}"

# Ctrl-C: the demo stops the engine and exits.
address=$(cat "$THROUGHLINE_DEMO_DATA/http.address")
kill -INT -- "-$demo_group"
rc=0
for _ in $(seq 120); do
  kill -0 "$demo" 2>/dev/null || break
  sleep 0.5
done
kill -0 "$demo" 2>/dev/null && fail "tools/demo.sh did not stop within 60 s of Ctrl-C"
wait "$demo" || rc=$?
[ "$rc" -eq 130 ] || fail "tools/demo.sh exited $rc on Ctrl-C, expected 130"
kill -0 -- "-$demo_group" 2>/dev/null && fail "a process of the demo outlived Ctrl-C"
demo_group=""
grep -q 'stopping the engine' "$work/demo1.out" || fail "the demo did not say it stopped the engine"
curl -fsS -m 2 "http://$address/readyz" >/dev/null 2>&1 &&
  fail "the engine still answers after Ctrl-C"

# A second run reuses the region and the tokens.
bash tools/demo.sh --once >"$work/demo2.out" 2>&1 || fail "the second run (--once) failed"
sed 's/\x1b\[[0-9;]*m//g' "$work/demo2.out" >"$work/demo2.txt"
grep -q "Reusing the region already in" "$work/demo2.txt" ||
  fail "the second run did not reuse the region"
grep -q "Publishing a synthetic Wales" "$work/demo2.txt" && fail "the second run published again"
token=${url##*#token=}
grep -q "#token=$token" "$work/demo2.txt" || fail "the second run did not reuse the probation token"
echo "demo: $events events; every printed command answered; Ctrl-C stopped it;" \
  "a second run reused the data"
