#!/usr/bin/env bash
# QR code figures, run by hand: `bash benchmarks/qr.sh` (targets from issue 6).
#   1. an uncached PNG: render time in-process, and first-request latency over HTTP
#   2. a cached PNG: requests/s on a 2-worker gunicorn server (wrk)
# Uses a scratch SQLite database and a free loopback port; installs Debian's wrk if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"

if ! command -v wrk >/dev/null; then
  echo "== installing wrk (Debian package)"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
make --silent install

WORK="$(mktemp -d)"
PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SHARETRACK_SQLALCHEMY_DATABASE_URI="sqlite:///$WORK/bench.db"
export SHARETRACK_SECRET_KEY="$(.venv/bin/python -c "import secrets; print(secrets.token_urlsafe(48))")"
export SHARETRACK_BASE_URL="https://share.our-campaign.example"  # 34 characters
# wrk is one client asking for one image over and over: lift its per-client limit.
export SHARETRACK_RATELIMIT_QR="100000000/minute"
unset DATABASE_URL
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

.venv/bin/flask --app sharetrack db upgrade >/dev/null 2>&1
.venv/bin/python benchmarks/qr_setup.py "$WORK/tokens.txt"

echo "== 1a. uncached PNG, rendered in-process (qrcode + Pillow, 34-character origin)"
.venv/bin/python benchmarks/qr_render.py "$WORK/tokens.txt"

.venv/bin/gunicorn --workers 2 --bind "127.0.0.1:$PORT" --log-level warning wsgi:app &
SERVER_PID=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/static/site.css" 2>/dev/null && break
  sleep 0.2
done

echo "   (CPU time is the figure to compare: wall time grows with whatever else the machine runs)"
echo "== 1b. uncached PNG over HTTP: first request for each of 100 links (2-worker gunicorn)"
.venv/bin/python benchmarks/qr_first_request.py "http://127.0.0.1:$PORT" "$WORK/tokens.txt"

TOKEN="$(head -n 1 "$WORK/tokens.txt")"
URL="http://127.0.0.1:$PORT/s/$TOKEN/qr.png?size=512"
for _ in 1 2 3 4; do curl -fsS -o /dev/null "$URL"; done  # warm the workers' memos

echo "== 2. cached PNG: wrk -t2 -c$CONNECTIONS -d$DURATION (target >= 1,000 requests/s)"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$URL" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
