#!/usr/bin/env bash
# Redirect throughput: sharetrack (gunicorn, 2 sync workers, SQLite) against a bare Flask app
# answering the same 302, driven by wrk in one run. Prints requests/s and p99 for each, the
# ratios, and checks every valid click was stored. Run by hand: `benchmarks/redirect.sh`.
# Knobs: DURATION (10s), CONNECTIONS (8), WORKERS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
WORKERS=${WORKERS:-2}
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
make --silent install

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export SHARETRACK_SECRET_KEY="$(.venv/bin/python -c "import secrets; print(secrets.token_urlsafe(48))")"
export SHARETRACK_BASE_URL="https://share.example.org"
export DATABASE_URL="sqlite:///$work/bench.db"
# wrk is one client hammering one link: lift its per-client limit (the check itself stays in
# the path, as in production with memory storage).
export SHARETRACK_RATELIMIT_REDIRECT="100000000/minute"
.venv/bin/flask --app sharetrack db upgrade >/dev/null 2>&1
token=$(.venv/bin/flask --app sharetrack demo | sed -n 's#.*share link: *.*/s/##p')
forged="${token%?}$( [ "${token: -1}" = 0 ] && echo 1 || echo 0)"

app_port=$(free_port)
.venv/bin/gunicorn wsgi:app -w "$WORKERS" -k sync -b "127.0.0.1:$app_port" \
  --log-level warning >"$work/app.log" 2>&1 &
pids+=($!)
bare_port=$(free_port)
.venv/bin/gunicorn benchmarks.bare_app:app -w "$WORKERS" -k sync -b "127.0.0.1:$bare_port" \
  --log-level warning >"$work/bare.log" 2>&1 &
pids+=($!)
for port in "$app_port" "$bare_port"; do
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/s/x" && break; sleep 0.1; done
done

run() {  # name url -> "rps p99 requests non3xx"
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "User-Agent: $UA" "$2")
  echo "$out" >"$work/$1.wrk"
  local rps p99 requests bad
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
  echo "$rps $p99 $requests ${bad:-0}"
}

curl -s -o /dev/null "http://127.0.0.1:$app_port/s/$token"  # warm both workers' salt cache
read -r bare_rps bare_p99 _ _ < <(run bare "http://127.0.0.1:$bare_port/s/$token")
read -r app_rps app_p99 app_requests app_bad < <(run valid "http://127.0.0.1:$app_port/s/$token")
read -r forged_rps forged_p99 _ _ < <(run forged "http://127.0.0.1:$app_port/s/$forged")

stored=$(.venv/bin/python - "$work/bench.db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from clicks").fetchone()[0] - 1)
PY
)

printf '%-28s %12s %10s\n' "" "requests/s" "p99"
printf '%-28s %12s %10s\n' "bare Flask 302" "$bare_rps" "$bare_p99"
printf '%-28s %12s %10s\n' "sharetrack, valid token" "$app_rps" "$app_p99"
printf '%-28s %12s %10s\n' "sharetrack, forged token" "$forged_rps" "$forged_p99"
.venv/bin/python - "$bare_rps" "$app_rps" "$forged_rps" <<'PY'
import sys
bare, valid, forged = map(float, sys.argv[1:])
print(f"ratio valid/bare:  {valid / bare:.2f}  (target >= 0.6)")
print(f"ratio forged/bare: {forged / bare:.2f}  (target >= 0.9)")
PY
echo "valid clicks answered by wrk: $app_requests (non-3xx: $app_bad); clicks stored: $stored"
if [ "$app_bad" != 0 ] || [ "$stored" -lt "$app_requests" ]; then
  echo "FAIL: some valid clicks were not redirected or not stored" >&2
  exit 1
fi
echo "every valid click stored"
