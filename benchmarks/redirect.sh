#!/usr/bin/env bash
# Redirect throughput: sharetrack (gunicorn, 2 sync workers) on SQLite and on PostgreSQL, each
# against a bare Flask app answering the same 302 (benchmarks/bare_app.py), driven by wrk at
# -c8 and -c32 in one run. Prints requests/s, p50 and p99 of each, the ratios to bare Flask,
# and checks that every click answered was stored. Run by hand: `benchmarks/redirect.sh`.
# Knobs: DURATION (8s), CONCURRENCY ("8 32"), WORKERS (2), ENGINES ("sqlite postgresql"),
# VENV (.venv), PG_URL (postgresql+psycopg://postgres@127.0.0.1:5432/test; a private schema is
# made and dropped). Targets at -c32: valid >= 0.65 (SQLite), >= 0.45 (PostgreSQL),
# forged >= 0.9, p99 under 2x bare Flask's.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8s}
CONCURRENCY=${CONCURRENCY:-8 32}
WORKERS=${WORKERS:-2}
ENGINES=${ENGINES:-sqlite postgresql}
VENV=${VENV:-.venv}
PG_URL=${PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

SCHEMA_PREFIX=bench
WAIT_PATH=/s/x
# shellcheck source=benchmarks/common.sh
source benchmarks/common.sh
# wrk is one client hammering one link: lift its per-client limit (the check itself stays in
# the path, as in production with memory storage).
export SHARETRACK_RATELIMIT_REDIRECT="100000000/minute"

bare_port=$(free_port)
"$VENV/bin/gunicorn" benchmarks.bare_app:app -w "$WORKERS" -k sync -b "127.0.0.1:$bare_port" \
  --log-level warning >"$work/bare.log" 2>&1 &
pids+=($!)
wait_for "$bare_port"

run() {  # name url connections -> "rps p50 p99 requests non3xx"
  local out
  out=$(wrk -t2 -c"$3" -d"$DURATION" --latency -H "User-Agent: $UA" "$2")
  echo "$out" >"$work/$1.wrk"
  local rps p50 p99 requests bad
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
  echo "$rps $p50 $p99 $requests ${bad:-0}"
}

count_clicks() { "$PY" -c 'import sys, sqlalchemy as sa
with sa.create_engine(sys.argv[1]).connect() as c:
    print(c.execute(sa.text("select count(*) from clicks")).scalar())' "$DATABASE_URL"; }

results="$work/results"
failed=0
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for engine in $ENGINES; do
  use_engine "$engine"  # DATABASE_URL and token
  forged="${token%?}$( [ "${token: -1}" = 0 ] && echo 1 || echo 0)"
  app_port=$(free_port)
  "$VENV/bin/gunicorn" wsgi:app -w "$WORKERS" -k sync -b "127.0.0.1:$app_port" \
    --log-level warning >"$work/app-$engine.log" 2>&1 &
  app_pid=$!
  pids+=($app_pid)
  wait_for "$app_port"
  for _ in 1 2 3 4; do curl -s -o /dev/null -A "$UA" "http://127.0.0.1:$app_port/s/$token"; done
  # The engine's own limit: bare Flask plus one INSERT and commit (benchmarks/engine_app.py).
  engine_port=$(free_port)
  (cd benchmarks && exec "../$VENV/bin/gunicorn" engine_app:app -w "$WORKERS" -k sync \
    -b "127.0.0.1:$engine_port" --log-level warning) >"$work/engine-$engine.log" 2>&1 &
  engine_pid=$!
  pids+=($engine_pid)
  wait_for "$engine_port"
  answered=0
  stored=0
  for c in $CONCURRENCY; do
    read -r b_rps b_p50 b_p99 _ _ < <(run "bare-$engine-$c" "http://127.0.0.1:$bare_port/s/$token" "$c")
    before=$(count_clicks)
    read -r v_rps v_p50 v_p99 v_req v_bad < <(run "valid-$engine-$c" "http://127.0.0.1:$app_port/s/$token" "$c")
    stored=$((stored + $(count_clicks) - before))
    read -r f_rps f_p50 f_p99 _ _ < <(run "forged-$engine-$c" "http://127.0.0.1:$app_port/s/$forged" "$c")
    read -r e_rps _ e_p99 _ _ < <(run "engine-$engine-$c" "http://127.0.0.1:$engine_port/s/$token" "$c")
    answered=$((answered + v_req))
    [ "$v_bad" = 0 ] || { echo "FAIL: $v_bad valid clicks not redirected ($engine, -c$c)" >&2; failed=1; }
    echo "$engine $c $b_rps $b_p50 $b_p99 $v_rps $v_p50 $v_p99 $f_rps $f_p50 $f_p99 $e_rps $e_p99" >>"$results"
  done
  echo "$engine: valid clicks answered $answered, stored $stored"
  if [ "$stored" -lt "$answered" ]; then
    echo "FAIL: $engine stored fewer clicks than it answered" >&2
    failed=1
  fi
  kill "$app_pid" "$engine_pid"; wait "$app_pid" "$engine_pid" 2>/dev/null || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$results" <<'PY'
import sys

def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000

head = ("engine", "-c", "bare r/s", "p50", "p99", "valid r/s", "p50", "p99", "ratio",
        "forged r/s", "ratio", "p99/bare", "engine-only r/s", "ratio", "p99/bare")
row = "{:<11}{:>4}{:>10}{:>10}{:>10}{:>11}{:>10}{:>10}{:>7}{:>12}{:>7}{:>10}{:>17}{:>7}{:>10}"
print(row.format(*head))
for line in open(sys.argv[1]):
    e, c, b, b50, b99, v, v50, v99, f, f50, f99, n, n99 = line.split()
    b, v, f, n = float(b), float(v), float(f), float(n)
    print(row.format(e, c, f"{b:.0f}", b50, b99, f"{v:.0f}", v50, v99, f"{v / b:.2f}",
                     f"{f:.0f}", f"{f / b:.2f}", f"{ms(v99) / ms(b99):.1f}",
                     f"{n:.0f}", f"{n / b:.2f}", f"{ms(n99) / ms(b99):.1f}"))
PY
if [ "$failed" = 0 ]; then echo "every valid click answered was stored"; else exit 1; fi
