#!/usr/bin/env bash
# Installs what is missing, builds, and shows Throughline at work: the engine on its embedded
# Kafka, a synthetic Wales (20,000 people over 10 years) published into it, and what the partners
# then see. A second run reuses the data. Ctrl-C stops the engine cleanly.
#
#   tools/demo.sh            run, and keep the engine running until Ctrl-C
#   tools/demo.sh --once     run, show, and stop (for scripts)
#
# THROUGHLINE_DEMO_DATA (default demo-data) and THROUGHLINE_DEMO_PERSONS (default 20000) change
# where and how much, THROUGHLINE_DEMO_PORT (default 8080; 0 takes a free one) the API's port,
# THROUGHLINE_BUILD_DIR (default build) the build it uses: one already configured is built as
# it is, so the demo neither changes nor rebuilds a tree configured otherwise
# (tests/tools/demo_test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

once=false
[ "${1:-}" = "--once" ] && once=true

bash tools/setup.sh
build=${THROUGHLINE_BUILD_DIR:-build}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 --target throughline

data=${THROUGHLINE_DEMO_DATA:-demo-data}
persons=${THROUGHLINE_DEMO_PERSONS:-20000}
tl=$build/throughline
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
show_person() {
  local who=$1 ref=$2
  bold "$who ($ref):"
  $tl view --data "$data" --person "$ref" | jq -r '.view as $v | [
    "  " + $v.stage + (if $v.custody then " (\($v.custody.basis)) at \($v.custody.prison) since \($v.custody.since[0:10])" else "" end),
    ([$v.counts | to_entries[] | select(.value > 0) | "\(.key | gsub("_"; " ")) \(.value)"] | join(" · ")
      + (if $v.charge_to_conviction_rate then " · charge-to-conviction \($v.charge_to_conviction_rate)" else "" end)
      | if . == "" then "  no arrests, charges or convictions on this record" else "  " + . end),
    ([ (if $v.mappa then "MAPPA category \($v.mappa.category) level \($v.mappa.level) (\($v.mappa.area))" else empty end),
       (if $v.iom then "IOM \($v.iom.cohort)" else empty end),
       (if $v.licence then "licence in \($v.licence.area) to \($v.licence.end_date)" + (if $v.licence.recalled then ", recalled" else "" end) else empty end)
     ] | if length > 0 then "  " + join(" · ") else empty end),
    (.alerts[-2:][] | "  alert for \(.agency): \(.message)")
  ] | .[]'
}

mkdir -p "$data"
rm -f "$data/kafka.bootstrap" "$data/http.address"
# Demo tokens: kept in plain text in the demo's data directory so that a second run can show
# them again. A real deployment keeps only their hashes (docs/access.md).
token_for() { awk -v r="$1" '$1 == r {print $2}' "$data/demo.tokens" 2>/dev/null; }
for pair in "probation probation:Wales" "housing housing:Cardiff" \
            "investigator investigations:Wales" "operator ops:Wales"; do
  set -- $pair
  if [ -z "$(token_for "$1")" ]; then
    printf '%s %s\n' "$1" "$($tl token --data "$data" --role "$1" --agency "$2" 2>/dev/null)" \
      >>"$data/demo.tokens"
  fi
done
chmod 600 "$data/demo.tokens"
probation=$(token_for probation)
housing=$(token_for housing)
investigator=$(token_for investigator)
operator=$(token_for operator)

bold "Starting the engine on $data (log: $data/engine.log)"
$tl serve --data "$data" --listen "127.0.0.1:${THROUGHLINE_DEMO_PORT:-8080}" \
  >>"$data/engine.log" 2>&1 &
engine=$!
stop() {
  if kill -0 "$engine" 2>/dev/null; then
    echo "stopping the engine..."
    kill -TERM "$engine"
    wait "$engine" || true
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 150); do
  [ -s "$data/kafka.bootstrap" ] && [ -s "$data/http.address" ] && break
  kill -0 "$engine" 2>/dev/null || { tail -n 20 "$data/engine.log"; exit 1; }
  sleep 0.2
done
[ -s "$data/http.address" ] || { echo "the engine did not start: see $data/engine.log"; exit 1; }
echo "embedded Kafka at $(cat "$data/kafka.bootstrap") (any Kafka client can publish to it)"
url="http://$(cat "$data/http.address")"

if [ -f "$data/generated" ]; then
  bold "Reusing the region already in $data ($(cat "$data/generated"))"
else
  bold "Publishing a synthetic Wales: $persons people over 10 years, through Kafka"
  $tl gen --persons "$persons" --years 10 --seed 1 --data "$data" --wait
  echo "$persons people, seed 1" >"$data/generated"
fi

bold "What the store holds (throughline admin stats):"
stats=$($tl admin stats --data "$data" --json 2>/dev/null) || { echo "admin stats failed"; exit 1; }
$tl admin stats --data "$data" 2>/dev/null |
  grep -E '^(events|persons|views|alerts|dead letters|offset gaps|on disk|consumer lag)' || true

bold "Cohorts:"
printf '  %-44s %s\n' \
  "HMP Cardiff (CFI) roll" "$($tl cohort --data "$data" prison CFI --limit 10000 2>/dev/null | wc -l)" \
  "HMP Parc (PRI) roll" "$($tl cohort --data "$data" prison PRI --limit 10000 2>/dev/null | wc -l)" \
  "IOM cohort" "$($tl cohort --data "$data" iom --limit 10000 2>/dev/null | wc -l)" \
  "MAPPA level 2 and 3" "$(( $($tl cohort --data "$data" mappa --level 2 --limit 10000 2>/dev/null | wc -l) + $($tl cohort --data "$data" mappa --level 3 --limit 10000 2>/dev/null | wc -l) ))" \
  "on licence in Cardiff and Vale" "$($tl cohort --data "$data" licence "Cardiff and Vale" --limit 10000 2>/dev/null | wc -l)"

# A few interesting people, as admin stats picks them: the most prolific, someone recalled,
# someone at MAPPA level 3.
example() { jq -r --arg w "$1" '[.examples[] | select(.why | startswith($w)) | .person][0] // empty' <<<"$stats"; }
prolific=$(example "the most arrests")
recalled=$(example "recalled")
mappa3=$(example "MAPPA level 3")
[ -n "$prolific" ] && show_person "The most prolific" "id:$prolific"
[ -n "$recalled" ] && show_person "Someone recalled to custody" "id:$recalled"
[ -n "$mappa3" ] && show_person "A MAPPA level 3 nominal" "id:$mappa3"
someone=${recalled:-${prolific:-1}}
position=$(jq -r .events <<<"$stats")  # the log's last sequence: records are numbered from 1

bold "The dashboard (open it in a browser on this machine):"
cat <<TXT
  $url/#token=$probation
      as a probation officer: cohorts with their flags, live alerts, search, any person's timeline
  $url/#/person/id%3A${prolific:-1}   $url/#/person/id%3A${recalled:-1}   $url/#/person/id%3A${mappa3:-1}
      the three people above (once the token is set)
  $url/#token=$housing
      the same as a housing partner: status and location, no offences
TXT

bold "Replay a record as an investigator would (audited, with the reason):"
cat <<TXT
  $tl replay --api $url --token $investigator \\
      --person id:$someone --as-of 2020-01-01 --reason "demo: serious case review"
  $tl replay --api $url --token $investigator \\
      --person id:$someone --as-known-at $(( position / 2 )) --diff $position --reason "demo: what was learned"
TXT

bold "The API, and looking after the engine:"
cat <<TXT
  curl -H "Authorization: Bearer $probation" $url/v1/persons/id:$someone
  curl -H "Authorization: Bearer $probation" "$url/v1/cohorts/iom?limit=5"
  curl $url/metrics                                   Prometheus metrics
  $tl admin backup /tmp/throughline-backup --data $data --token $operator
  $tl admin verify --data $data                 hash chain, indexes, every view a fresh fold (minutes)
  $tl audit --data $data | tail -n 3                  who read what, and why
  tail -f $data/engine.log                            the engine's structured log
  docs/api.md, docs/access.md, docs/projections.md, docs/formats.md
TXT

if $once; then
  exit 0
fi
bold "The engine keeps running ($url, Kafka $(cat "$data/kafka.bootstrap")); Ctrl-C stops it."
wait "$engine"
