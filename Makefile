# The two commands a newcomer needs: `make run` and `make test`. Each target creates .venv if
# needed and installs only the extras it runs (pyproject.toml), again when pyproject changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pytest-xdist workers for `make test`: `auto` is one per CPU; 0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint install migrate demo clean contract browser screenshots loadtest deploy-check-tools

# One stamp per set of extras: $(VENV)/.installed-<name> installs '.[<EXTRAS_name>]'.
EXTRAS_app :=
EXTRAS_test := test,browser,print
EXTRAS_lint := lint
EXTRAS_contract := contract
EXTRAS_load := load
EXTRAS_dev := dev
$(VENV)/.installed-%: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(if $(EXTRAS_$*),[$(EXTRAS_$*)])'
	@touch $@

# Everything a contributor may run (the `dev` extra).
install: $(VENV)/.installed-dev

migrate: $(VENV)/.installed-app
	FLASK_DEBUG=1 $(BIN)/flask --app sharetrack db upgrade

demo: migrate
	FLASK_DEBUG=1 $(BIN)/flask --app sharetrack demo --base-url http://127.0.0.1:5000

# Serves the SQLite default in debug mode (a fixed development key; never use debug in production),
# with the task queue's worker beside it (it sends the emails), stopped when the server stops.
run: demo
	$(BIN)/flask --app sharetrack --debug worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/flask --app sharetrack run --debug --host 127.0.0.1 --port 5000

# The whole suite on the engine DATABASE_URL names (SQLite when unset), browser and real-server
# tests included, one worker per CPU (a worker idle at the end takes tests queued for another:
# --dist worksteal); each worker that runs a browser test starts its own Chromium. Bytecode is
# cached even where the environment says not to: the suite starts some forty Python processes
# (gunicorn, the worker, the CLI), and each would compile the app again (a quarter second).
# On SQLite the PostgreSQL halves of two-engine tests wait for the PostgreSQL run (.ci/run does
# both); on PostgreSQL every test runs, each two-engine test on both.
ENGINES := $(if $(filter postgres%,$(DATABASE_URL)),,-m "not postgres")
test: $(VENV)/.installed-test browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(ENGINES) $(PYTEST_ARGS)

# Fuzzes the live API (gunicorn) against /api/v1/openapi.json; DATABASE_URL picks the engine.
contract: $(VENV)/.installed-contract
	$(BIN)/python -m tests.contract.run_schemathesis $(CONTRACT_ARGS)

# Debian's Chromium for tests/browser (Playwright drives it; it never downloads a browser).
# `make test` runs this first; without Chromium a bare pytest skips those tests (fails under CI).
# axe-core (the accessibility checks) comes from npm, pinned by tests/browser/package-lock.json.
CHROMIUM ?= /usr/bin/chromium
browser:
	@pkgs="$$([ -x $(CHROMIUM) ] || echo chromium fonts-dejavu-core) $$(command -v npm >/dev/null || echo npm)"; \
	if [ -z "$$(echo $$pkgs)" ]; then echo "chromium: $(CHROMIUM); npm: $$(command -v npm)"; else \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs; \
	fi
	cd tests/browser && npm ci --no-audit --no-fund --silent

# Full-page screenshots of every page at 375 and 1280 px into tests/browser/screenshots/.
screenshots: install browser
	SHARETRACK_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser/test_tour.py -q -p no:randomly \
	  tests/browser/test_reports.py::test_staff_reads_the_report_switches_model_and_downloads_csv

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

# Style, then the layer contract (import-linter's lint-imports, issue 11) after ruff.
lint: $(VENV)/.installed-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check sharetrack tests loadtest
	$(BIN)/lint-imports

# Load and fault tests (loadtest/): gunicorn on PostgreSQL with Redis, a worker killed, the
# PostgreSQL cluster restarted (it disturbs everyone using it), then SQLite. The issue's counts
# by default; .ci/run scales them down with LOADTEST_* variables. Each prints its figures.
loadtest: $(VENV)/.installed-load
	$(BIN)/python -m loadtest.postgres_load
	$(BIN)/python -m loadtest.worker_kill
	$(BIN)/python -m loadtest.postgres_restart
	$(BIN)/python -m loadtest.sqlite_load

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache

# Rehearses docs/deploy.md (deploy/rehearse.py, as root on Debian 12 with Caddy from
# deploy-check-tools): runs the guide's marked command blocks on loopback ports under a
# temporary root, with its own system user and PostgreSQL role and database, removed after.
.PHONY: rehearse
rehearse: deploy-check-tools
	timeout 1800 $(PYTHON) deploy/rehearse.py
