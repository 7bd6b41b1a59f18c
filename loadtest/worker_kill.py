"""The PostgreSQL load of postgres_load.py with one gunicorn worker killed (SIGKILL) halfway.

Checks: no pledge half-stored (every live pledge with a ref has credits summing exactly to its
amount under every model; the others none), the totals reconcile with what was delivered (the
platform retries a delivery that got no answer), no 5xx, and the service keeps answering.

    .venv/bin/python -m loadtest.worker_kill          # LOADTEST_CLICKS, _DELIVERIES, _CLIENTS
"""

from __future__ import annotations

from loadtest import common
from loadtest.postgres_load import scenario

if __name__ == "__main__":
    common.main(lambda: scenario(kill_worker=True))
