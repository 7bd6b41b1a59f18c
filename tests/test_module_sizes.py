"""No module or function of the package grows into a god module or function: each stays short
enough to read whole."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sharetrack"
MAX_LINES = 400
# A function's lines run from its `def` (decorators excluded) to its last line, docstring included.
MAX_FUNCTION_LINES = 80


def test_no_module_is_longer_than_the_limit():
    lengths = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(lengths) > 50  # the whole package was read, not an empty folder
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert not too_long, f"split these by concept (limit {MAX_LINES} lines): {too_long}"


def test_no_function_is_longer_than_the_limit():
    lengths = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"
                lengths[name] = node.end_lineno - node.lineno + 1
    assert len(lengths) > 500  # the whole package was read, nested functions too
    too_long = {name: n for name, n in lengths.items() if n > MAX_FUNCTION_LINES}
    assert not too_long, f"split these (limit {MAX_FUNCTION_LINES} lines): {too_long}"


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
