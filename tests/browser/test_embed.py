"""The promoter box framed by a case page on another origin, in a real browser.

The case page is served from http://localhost:<port> (another site than the app's
http://127.0.0.1:<port>, as a campaign's own site would be); it frames /embed/<slug>.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharetrack.embed.service import snippet
from sharetrack.extensions import db
from sharetrack.models import Share
from tests.browser.conftest import TIMEOUT_MS

pytestmark = pytest.mark.slow


class CasePage:
    """A stand-in for the campaign's own site: one page with whatever HTML the test sets."""

    def __init__(self):
        self.html = "<!doctype html><title>case</title>"
        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                body = page.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_port}"


@pytest.fixture
def case_page() -> Iterator[CasePage]:
    page = CasePage()
    thread = threading.Thread(target=page.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield page
    page.server.shutdown()
    thread.join(10)
    page.server.server_close()


@pytest.fixture
def context(browser):
    """A browser context that records every request of every page and frame."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    yield context
    context.close()


def refused(page) -> bool:
    """The page's frame shows Chromium's own error page."""
    return len(page.frames) > 1 and page.frames[1].url.startswith("chrome-error:")


def origins(urls: list[str]) -> set[str]:
    return {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in urls}


def test_a_button_in_the_framed_box_makes_a_share(
    app, context, live_server, case_page, make_campaign
):
    campaign = make_campaign(landing_url=f"{case_page.origin}/our-case")
    case_page.html = "<!doctype html><title>Our case</title><h1>Our case</h1>" + snippet(
        f"{live_server}/embed/{campaign.slug}", campaign.title
    )
    page = context.new_page()
    page.goto(f"{case_page.origin}/our-case")
    box = page.frame_locator("iframe")
    expect(box.get_by_role("heading", name="Be a promoter")).to_be_visible()
    expect(box.get_by_text("Too few shares on Facebook yet to say what one raises")).to_be_visible()

    with context.expect_page() as opened:
        box.get_by_role("button", name="I'll share by link").click()
    tab = opened.value
    tab.wait_for_url(f"{live_server}/embed/{campaign.slug}/share")  # and loaded
    link = tab.locator("#link").input_value()
    assert link.startswith(f"{live_server}/s/")
    with app.app_context():
        shares = db.session.scalars(sa.select(Share).where(Share.campaign_id == campaign.id)).all()
    assert [s.channel for s in shares] == ["link"]
    # The new tab is first-party: it kept the promoter cookie for the next share.
    assert any(c["name"] == "st_promoter" for c in context.cookies(live_server))
    assert origins(context.requests) == {case_page.origin, live_server}


def test_another_site_cannot_frame_the_box(context, live_server, case_page, make_campaign):
    campaign = make_campaign(landing_url="https://case.example/")
    case_page.html = "<!doctype html><title>Not ours</title>" + snippet(
        f"{live_server}/embed/{campaign.slug}", campaign.title
    )
    page = context.new_page()
    page.goto(case_page.origin)
    # The browser refused to show it: its own error page comes to stand in the frame. Wait for
    # that rather than for a fixed time, which a busy machine can outlast.
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not refused(page) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert refused(page)
    frame = page.frames[1]
    assert frame.url.startswith("chrome-error:")
    assert frame.get_by_role("heading", name="Be a promoter").count() == 0
    assert origins(context.requests) <= {case_page.origin, live_server}


@pytest.mark.parametrize("channels", [None, "facebook,x,email"])
@pytest.mark.parametrize("width", [375, 1280])
def test_the_snippet_is_tall_enough_for_the_box(
    context, live_server, case_page, make_campaign, channels, width
):
    campaign = make_campaign(landing_url=f"{case_page.origin}/our-case")
    url = f"{live_server}/embed/{campaign.slug}" + (f"?channels={channels}" if channels else "")
    case_page.html = (
        '<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Our case</title><h1>Our case</h1>" + snippet(url, campaign.title)
    )
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{case_page.origin}/our-case")
    box = page.frame_locator("iframe")
    expect(box.get_by_role("heading", name="Be a promoter")).to_be_visible()
    # Measure the laid-out box: its stylesheets applied (on a busy machine the heading can be
    # visible before they are, and unstyled text is taller), waiting for that, not a fixed time.
    page.frames[1].wait_for_load_state("load")
    frame = page.locator("iframe").bounding_box()
    content = box.locator("html").bounding_box()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while content["height"] > frame["height"] and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        content = box.locator("html").bounding_box()
    assert content["width"] <= frame["width"]  # no sideways scrolling in the box either
    assert content["height"] <= frame["height"], (content, frame)
