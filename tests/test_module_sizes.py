"""No module of the package grows into a god module: each stays short enough to read whole."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sharetrack"
MAX_LINES = 450


def test_no_module_is_longer_than_the_limit():
    lengths = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(lengths) > 50  # the whole package was read, not an empty folder
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert not too_long, f"split these by concept (limit {MAX_LINES} lines): {too_long}"


def test_the_tables_live_in_one_module_per_concept():
    from sharetrack import models
    from sharetrack.extensions import db

    owners = {
        mapper.class_.__name__: mapper.class_.__module__ for mapper in db.Model.registry.mappers
    }
    assert owners["Campaign"] == "sharetrack.models.campaigns"
    assert owners["Click"] == "sharetrack.models.clicks"
    assert owners["Pledge"] == "sharetrack.models.pledges"
    assert owners["StaffUser"] == "sharetrack.models.staff"
    # Every table is still reachable where callers import it from.
    assert {name for name in owners} <= set(models.__all__)
