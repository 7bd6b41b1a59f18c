"""The redirect's SQL: one INSERT per click, queued between workers on SQLite."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from sharetrack.links.redirect_sql import Writers
from sharetrack.services import services
from tests.links.test_redirect import clicks, visit

HOLD = """
import fcntl, sys, time
with open(sys.argv[1], "a") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
def test_on_sqlite_a_click_waits_its_turn_behind_another_workers_write(
    app, client, make_share, engine_name
):
    _, token = make_share()
    assert visit(client, f"/s/{token}").status_code == 302  # the target is known: one INSERT
    writers = services(app).redirect_statements.writers
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD, writers.path, "0.5"], stdout=subprocess.PIPE, text=True
    )
    with other:
        assert other.stdout.readline() == "held\n"
        started = time.monotonic()
        assert visit(client, f"/s/{token}", ip="198.51.100.3").status_code == 302
        waited = time.monotonic() - started
    assert waited > 0.2  # it queued behind the other process's turn, then wrote
    assert len(clicks(app)) == 2


def test_an_in_memory_database_has_no_lock_file(tmp_path):
    writers = Writers(":memory:")
    with writers.turn():
        pass
    assert writers.path is None
    on_disk = Writers(str(tmp_path / "x.db"))
    with on_disk.turn():
        assert (tmp_path / "x.db-clicks.lock").exists()
    on_disk.close()
