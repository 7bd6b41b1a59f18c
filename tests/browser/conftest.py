"""A real browser against a real server: Debian's Chromium driven by Playwright.

The app is served by Werkzeug's threaded WSGI server on a free port, in a thread of the test
process, so tests can seed and read the same database. Chromium is never downloaded: it comes
from apt (`make browser`). Without it these tests skip locally and fail under CI=true.
Every page fixture records each request the page makes and fails the test if one left the origin.

On a busy machine a page can take seconds to answer, so tests never wait for a fixed time: they
wait for the state they assert (Playwright's `expect`, `wait_for_url`, a marker of the next page),
each wait bounded by TIMEOUT_MS, set here once for actions, navigations and `expect`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import IN_CI
from tests.smtp import inbox, mail_config, smtp_server  # noqa: F401  (fixtures)
from tests.staff_fixtures import *  # noqa: F403  (shared page fixtures)

CHROMIUM = os.environ.get("SHARETRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 740}
# The bound of every wait, generous: it only matters when something is wrong, and a loaded
# two-core machine rendering a report page can outlast Playwright's 5 s default for `expect`.
TIMEOUT_MS = 30_000
HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process (under pytest-xdist, each worker that runs a
    browser test starts its own, so the browser tests spread over every CPU)."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Chromium not found at {CHROMIUM}: run `make browser` to install it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app_config(app_config) -> dict:
    """Links on the live server's own origin (the default config names another host)."""
    return app_config | {"BASE_URL": None}


class _Handler(WSGIRequestHandler):
    # A connection Chromium opened ahead and never used gives up after this many seconds, so
    # joining the request threads at teardown never waits long on one.
    timeout = 1


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app on a free port; yields its origin."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Handler)
    # Request threads are joined at server_close: a request Chromium still had in flight at
    # teardown (a stylesheet's 304, say) finishes and closes its file, instead of a daemon thread
    # left to die with it open (an unraisable ResourceWarning, an error under filterwarnings).
    server.daemon_threads = False
    # Polling for shutdown every 50 ms: serve_forever's default 0.5 s was each test's teardown.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    server.server_close()


class OriginWatch:
    """Every URL the pages of one browser context asked for."""

    def __init__(self, origin: str):
        self.origin = origin
        self.requests: list[str] = []

    def record(self, request) -> None:
        self.requests.append(request.url)

    def elsewhere(self) -> list[str]:
        """Requests that left the app's origin."""
        ours = urlsplit(self.origin)
        return [
            url
            for url in self.requests
            if (urlsplit(url).scheme, urlsplit(url).netloc) != (ours.scheme, ours.netloc)
        ]


@pytest.fixture
def watch(live_server) -> OriginWatch:
    return OriginWatch(live_server)


@pytest.fixture
def page(browser, live_server, watch):
    """A fresh browser context and page that may use the clipboard; checks the origin at the end."""
    context = browser.new_context(
        base_url=live_server, permissions=["clipboard-read", "clipboard-write"]
    )
    context.on("request", watch.record)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
    assert watch.requests, "the browser made no request at all"
    assert watch.elsewhere() == [], "a page requested another origin"


def fits_the_screen(page) -> bool:
    """Nothing on the page is wider than the window (no sideways scrolling on a phone)."""
    page.wait_for_load_state()  # its stylesheet applied, not a page still arriving
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
