#!/usr/bin/env bash
# Where a click lands: the hosted page /c/demo, the embed box /embed/demo and the social card
# /c/demo/card.png, on sharetrack (gunicorn, 2 sync workers, the default file cache) and on a
# bare Flask app answering the same bytes (benchmarks/bare_page_app.py), on SQLite and on
# PostgreSQL, wrk -c32 in one run. Prints requests/s, p50 and p99 of each and the ratios to
# bare Flask; also the page arriving through a share (?ref=) and a revalidation (If-None-Match,
# a 304). Each pair runs ROUNDS times alternately and each side's best round is kept (the
# machine is shared). Fails if sharetrack answered anything but 2xx/3xx.
# Run by hand: `benchmarks/landing.sh`. Knobs: DURATION (5s), ROUNDS (2), CONNECTIONS (32), WORKERS (2),
# ENGINES ("sqlite postgresql"), VENV (.venv), PG_URL (a private schema is made and dropped).
# Targets (issue 22): each path >= 0.5 of bare Flask's requests/s; /c/demo p99 <= 3x bare's.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WORKERS=${WORKERS:-2}
ENGINES=${ENGINES:-sqlite postgresql}
VENV=${VENV:-.venv}
PG_URL=${PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

SCHEMA_PREFIX=bench_landing
WAIT_PATH=/c/demo
# shellcheck source=benchmarks/common.sh
source benchmarks/common.sh
# wrk is one client: lift the card's per-client limit (the check itself stays in the path).
export SHARETRACK_RATELIMIT_CARD="100000000/minute"
export SHARETRACK_CACHE_DIR="$work/cache"

run() {  # name url [header] -> "rps p50 p99 requests non2xx3xx"
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "User-Agent: $UA" ${3:+-H "$3"} "$2")
  echo "$out" >"$work/$1.wrk"
  local rps p50 p99 requests bad
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
  echo "$rps $p50 $p99 $requests ${bad:-0}"
}

results="$work/results"
failed=0
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for engine in $ENGINES; do
  use_engine "$engine"  # DATABASE_URL and token
  app_port=$(free_port)
  "$VENV/bin/gunicorn" wsgi:app -w "$WORKERS" -k sync -b "127.0.0.1:$app_port" \
    --log-level warning >"$work/app-$engine.log" 2>&1 &
  app_pid=$!
  pids+=($app_pid)
  wait_for "$app_port"
  app="http://127.0.0.1:$app_port"
  # The bare app answers with exactly the bytes sharetrack served.
  mkdir -p "$work/bare-$engine"
  curl -sf -o "$work/bare-$engine/page.html" "$app/c/demo"
  curl -sf -o "$work/bare-$engine/embed.html" "$app/embed/demo"
  curl -sf -o "$work/bare-$engine/card.png" "$app/c/demo/card.png"
  etag=$(curl -sfI "$app/c/demo" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
  bare_port=$(free_port)
  (cd benchmarks && BARE_PAGES="$work/bare-$engine" exec "../$VENV/bin/gunicorn" bare_page_app:app \
    -w "$WORKERS" -k sync -b "127.0.0.1:$bare_port" --log-level warning) >"$work/bare-$engine.log" 2>&1 &
  bare_pid=$!
  pids+=($bare_pid)
  wait_for "$bare_port"
  bare="http://127.0.0.1:$bare_port"
  for path in "/c/demo" "/c/demo?ref=$token" "/embed/demo" "/c/demo/card.png" "/c/demo 304"; do
    url=${path% 304}
    header=""
    [ "$url" = "$path" ] || header="If-None-Match: $etag"
    name=$(tr -c 'a-z0-9' '_' <<<"$engine$path")
    b_rps=0; a_rps=0
    for round in $(seq "$ROUNDS"); do  # alternate, keep each side's best round
      read -r rps p50 p99 _ _ < <(run "bare-$name-$round" "$bare${url%%\?*}")
      if awk "BEGIN {exit !($rps > $b_rps)}"; then b_rps=$rps; b_p50=$p50; b_p99=$p99; fi
      read -r rps p50 p99 req bad < <(run "app-$name-$round" "$app$url" "$header")
      if awk "BEGIN {exit !($rps > $a_rps)}"; then a_rps=$rps; a_p50=$p50; a_p99=$p99; fi
      [ "$bad" = 0 ] || { echo "FAIL: $bad of $req answers not 2xx/3xx ($engine $path)" >&2; failed=1; }
    done
    label=${path/\?ref=$token/?ref=…}
    echo "$engine|$label|$b_rps|$b_p50|$b_p99|$a_rps|$a_p50|$a_p99" >>"$results"
  done
  kill "$app_pid" "$bare_pid"; wait "$app_pid" "$bare_pid" 2>/dev/null || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$results" <<'PY'
import sys

def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000

head = ("engine", "path", "bare r/s", "p50", "p99", "sharetrack r/s", "p50", "p99", "ratio", "p99/bare")
row = "{:<11}{:<22}{:>10}{:>10}{:>10}{:>16}{:>10}{:>10}{:>7}{:>10}"
print(row.format(*head))
for line in open(sys.argv[1]):
    e, path, b, b50, b99, a, a50, a99 = line.rstrip("\n").split("|")
    b, a = float(b), float(a)
    print(row.format(e, path, f"{b:.0f}", b50, b99, f"{a:.0f}", a50, a99, f"{a / b:.2f}",
                     f"{ms(a99) / ms(b99):.1f}"))
PY
exit "$failed"
