# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate demo clean contract browser loadtest deploy-check-tools

# (Re)install when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	FLASK_DEBUG=1 $(BIN)/flask --app sharetrack db upgrade

demo: migrate
	FLASK_DEBUG=1 $(BIN)/flask --app sharetrack demo --base-url http://127.0.0.1:5000

# Serves the SQLite default in debug mode (a fixed development key; never use debug in production).
run: demo
	$(BIN)/flask --app sharetrack run --debug --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Fuzzes the live API (gunicorn) against /api/v1/openapi.json; DATABASE_URL picks the engine.
contract: install
	$(BIN)/python -m tests.contract.run_schemathesis $(CONTRACT_ARGS)
# Debian's Chromium for tests/browser (Playwright drives it; it never downloads a browser).
# Without it those tests skip locally; .ci/run calls this first, so under CI they always run.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then echo "chromium: $(CHROMIUM)"; else \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core; \
	fi

# Caddy and systemd-analyze check deploy/'s configs (tests/deploy); without them those tests
# skip locally. .ci/run calls this first, so under CI they always run.
deploy-check-tools:
	@if command -v caddy >/dev/null && command -v systemd-analyze >/dev/null; then \
	  echo "caddy: $$(command -v caddy); systemd-analyze: $$(command -v systemd-analyze)"; else \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    caddy systemd; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check sharetrack tests loadtest

# Load and fault tests (loadtest/): gunicorn on PostgreSQL with Redis, a worker killed, the
# PostgreSQL cluster restarted (it disturbs everyone using it), then SQLite. The issue's counts
# by default; .ci/run scales them down with LOADTEST_* variables. Each prints its figures.
loadtest: install
	$(BIN)/python -m loadtest.postgres_load
	$(BIN)/python -m loadtest.worker_kill
	$(BIN)/python -m loadtest.postgres_restart
	$(BIN)/python -m loadtest.sqlite_load

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
