# Sourced by the wrk benchmarks (redirect.sh, landing.sh): wrk, the venv, a work folder, a
# private PostgreSQL schema dropped on exit, free ports, and a fresh production secret.
# The caller sets ENGINES, VENV, PG_URL, SCHEMA_PREFIX and WAIT_PATH (what wait_for polls).
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -x "$VENV/bin/python" ] || make --silent install
PY="$VENV/bin/python"

work=$(mktemp -d)
pids=()
schema="${SCHEMA_PREFIX}_$(date +%s)_$$"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ " $ENGINES " == *" postgresql "* ]]; then
    "$PY" - "$PG_URL" "$schema" <<'PY' || true
import sys, sqlalchemy as sa
with sa.create_engine(sys.argv[1]).begin() as c:
    c.execute(sa.text(f'DROP SCHEMA IF EXISTS "{sys.argv[2]}" CASCADE'))
PY
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1$WAIT_PATH" && return; sleep 0.1; done; }

export SHARETRACK_SECRET_KEY="bench-$(date +%s%N)-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SHARETRACK_BASE_URL="https://share.example.org"

# use_engine ENGINE: point DATABASE_URL at a fresh database of ENGINE (a file for sqlite, the
# private schema for postgresql), migrate it, load the demo; sets `token`, its share token.
use_engine() {
  if [ "$1" = sqlite ]; then
    export DATABASE_URL="sqlite:///$work/bench.db"
  else
    "$PY" - "$PG_URL" "$schema" <<'PY'
import sys, sqlalchemy as sa
with sa.create_engine(sys.argv[1]).begin() as c:
    c.execute(sa.text(f'CREATE SCHEMA "{sys.argv[2]}"'))
PY
    export DATABASE_URL="$PG_URL?options=-csearch_path%3D$schema"
  fi
  "$PY" -m flask --app sharetrack db upgrade >/dev/null 2>&1
  token=$("$PY" -m flask --app sharetrack demo | sed -n 's#.*share link: *.*/s/##p')
}
