#!/usr/bin/env bash
# Installs what is missing, builds, and shows Throughline at work: the engine on its embedded
# Kafka, a synthetic Wales (20,000 people over 10 years) published into it, and what the partners
# then see. A second run reuses the data. Ctrl-C stops the engine cleanly.
#
#   tools/demo.sh            run, and keep the engine running until Ctrl-C
#   tools/demo.sh --once     run, show, and stop (for scripts)
#
# THROUGHLINE_DEMO_DATA (default demo-data) and THROUGHLINE_DEMO_PERSONS (default 20000) change
# where and how much.
set -euo pipefail
cd "$(dirname "$0")/.."

once=false
[ "${1:-}" = "--once" ] && once=true

bash tools/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target throughline

data=${THROUGHLINE_DEMO_DATA:-demo-data}
persons=${THROUGHLINE_DEMO_PERSONS:-20000}
tl=build/throughline
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
# The "person" id of the first NDJSON line on standard input.
first_person() { head -n 1 | sed -nE 's/^\{"person":([0-9]+).*/\1/p'; }
show_person() {
  local who=$1 ref=$2
  bold "$who ($ref):"
  $tl view --data "$data" --person "$ref" | jq -C '{stage: .view.stage, custody: .view.custody,
    counts: .view.counts, charge_to_conviction_rate: .view.charge_to_conviction_rate,
    mappa: .view.mappa, iom: .view.iom, licence: (.view.licence | if . then {area, end_date,
    recalled} else null end), latest_alerts: [.alerts[-3:][] | {rule, agency, message}]}'
}

mkdir -p "$data"
rm -f "$data/kafka.bootstrap" "$data/http.address"
# Demo tokens: kept in plain text in the demo's data directory so that a second run can show
# them again. A real deployment keeps only their hashes (docs/access.md).
if [ ! -f "$data/demo.tokens" ]; then
  probation=$($tl token --data "$data" --role probation --agency "probation:Wales" 2>/dev/null)
  housing=$($tl token --data "$data" --role housing --agency "housing:Cardiff" 2>/dev/null)
  printf 'probation %s\nhousing %s\n' "$probation" "$housing" >"$data/demo.tokens"
  chmod 600 "$data/demo.tokens"
fi
probation=$(awk '$1 == "probation" {print $2}' "$data/demo.tokens")
housing=$(awk '$1 == "housing" {print $2}' "$data/demo.tokens")
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
for _ in $(seq 100); do
  [ -s "$data/kafka.bootstrap" ] && [ -s "$data/http.address" ] && break
  kill -0 "$engine" 2>/dev/null || { tail -n 20 "$data/engine.log"; exit 1; }
  sleep 0.2
done
echo "embedded Kafka at $(cat "$data/kafka.bootstrap") (any Kafka client can publish to it)"
url="http://$(cat "$data/http.address")"

if [ -f "$data/generated" ]; then
  bold "Reusing the region already in $data ($(cat "$data/generated"))"
else
  bold "Publishing a synthetic Wales: $persons people over 10 years, through Kafka"
  $tl gen --persons "$persons" --years 10 --seed 1 --data "$data" --wait
  echo "$persons people, seed 1" >"$data/generated"
fi

bold "The log, its indexes and every view, checked while the engine runs:"
$tl verify --data "$data" 2>/dev/null | tail -n 2

bold "Cohorts:"
printf '  %-44s %s\n' \
  "HMP Cardiff (CFI) roll" "$($tl cohort --data "$data" prison CFI --limit 10000 2>/dev/null | wc -l)" \
  "HMP Parc (PRI) roll" "$($tl cohort --data "$data" prison PRI --limit 10000 2>/dev/null | wc -l)" \
  "IOM cohort" "$($tl cohort --data "$data" iom --limit 10000 2>/dev/null | wc -l)" \
  "MAPPA level 2 and 3" "$(( $($tl cohort --data "$data" mappa --level 2 --limit 10000 2>/dev/null | wc -l) + $($tl cohort --data "$data" mappa --level 3 --limit 10000 2>/dev/null | wc -l) ))" \
  "on licence in Cardiff and Vale" "$($tl cohort --data "$data" licence "Cardiff and Vale" --limit 10000 2>/dev/null | wc -l)"

mappa3=$($tl cohort --data "$data" mappa --level 3 --limit 1 2>/dev/null | first_person)
iom=$($tl cohort --data "$data" iom --limit 1 2>/dev/null | first_person)
cardiff=$($tl cohort --data "$data" prison CFI --limit 1 2>/dev/null | first_person)
[ -n "$mappa3" ] && show_person "A MAPPA level 3 nominal" "id:$mappa3"
[ -n "$iom" ] && show_person "Someone in the IOM cohort" "id:$iom"
[ -n "$cardiff" ] && show_person "Someone in HMP Cardiff now" "id:$cardiff"

bold "The dashboard and the API:"
cat <<TXT
  $url/#token=$probation
      the dashboard as a probation officer sees it: cohorts, live alerts, any person's timeline
  $url/#token=$housing
      the same as a housing partner sees it: status and location, no offences
  curl -H "Authorization: Bearer $probation" $url/v1/persons/id:${iom:-1}
  curl -H "Authorization: Bearer $probation" -H "X-Reason: demo" "$url/v1/persons/id:${iom:-1}/timeline?as_of=2020-01-01"
  curl $url/metrics                                          Prometheus metrics
  docs/api.md, docs/access.md
TXT

bold "Where to look next:"
cat <<TXT
  $tl view --data $data --person id:${iom:-1} --timeline | jq .     the whole record
  $tl view --data $data --person id:${iom:-1} --as-of 2020-01-01     as it stood then
  $tl view --data $data --person id:${iom:-1} --as-known-at 5000     as the log knew it at sequence 5000
  $tl cohort --data $data releases --from 2025-12-01 --within-days 31
  $tl log --data $data --person id:${iom:-1}                           the events, as published
  tail -f $data/engine.log                                          the engine's structured log
  docs/projections.md, docs/events.md, docs/formats.md
TXT

if $once; then
  exit 0
fi
bold "The engine keeps running ($url, Kafka $(cat "$data/kafka.bootstrap")); Ctrl-C stops it."
wait "$engine"
