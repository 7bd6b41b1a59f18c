"""Helpers for walking pages in Chromium: axe-core, overflow, screenshots, CSP reports.

axe-core comes from the npm package in tests/browser/node_modules (`make browser` installs it
from tests/browser/package-lock.json); it is evaluated through the DevTools protocol, so the
pages' own CSP (no inline script) stays in force while it runs.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
# The impacts the issue asks us to clear; "minor" findings are reported, not failed.
BLOCKING = {"critical", "serious", "moderate"}


@cache
def axe_source() -> str:
    """The axe-core script, or a skip (a fail under CI) if npm has not installed it."""
    if not AXE.exists():
        from tests.conftest import IN_CI

        message = f"axe-core not found at {AXE}: run `make browser` to install it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[str]:
    """axe-core's critical, serious and moderate findings on the page, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map(v => ({id: v.id, impact: v.impact,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    blocking = [v for v in found if v["impact"] in BLOCKING]
    return [f"{v['impact']} {v['id']}: {', '.join(v['targets'])}" for v in blocking]


def too_wide(page) -> int:
    """How many CSS pixels the page is wider than its window (0: no sideways scrolling)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def tables_too_wide(page) -> list[str]:
    """Tables wider than the box they sit in (a hidden column, a clipped caption)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("table")]
          .filter(t => t.offsetParent !== null)
          .filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
          .map(t => `${t.id || t.className || "table"}: `
                    + `${Math.round(t.getBoundingClientRect().width)} px`
                    + ` in ${t.parentElement.clientWidth} px`)"""
    )


def screenshot(page, name: str, width: str) -> Path | None:
    """A full-page screenshot at tests/browser/screenshots/<name>-<width>.png, when asked for
    (`make screenshots` sets SHARETRACK_SCREENSHOTS=1): they are for people to look at, nothing
    asserts on them, and encoding them was a fifth of the tour's time in `make test`."""
    if not os.environ.get("SHARETRACK_SCREENSHOTS"):
        return None
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=path, full_page=True)
    return path
