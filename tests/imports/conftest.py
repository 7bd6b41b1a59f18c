"""Fixtures for imports: write JSON Lines and run `flask import` on them."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def jsonl(tmp_path):
    """Factory: a .jsonl file of the given records (dicts, or raw strings as they are)."""
    counter = iter(range(10**6))

    def write(*records) -> str:
        path = tmp_path / f"history-{next(counter)}.jsonl"
        path.write_text(
            "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
        )
        return str(path)

    return write


@pytest.fixture
def run_import(runner):
    """Run the import command; returns click's result."""

    def run(*args, input=None):
        return runner.invoke(args=["import", *args], input=input)

    return run
