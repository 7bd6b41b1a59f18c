"""A visitor shares, copies their link, opens their page, and gets it back by email, in
Chromium against a real SMTP server; every request stays on the app's origin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.smtp import Inbox

pytestmark = pytest.mark.slow
ADDRESS = "ada@example.org"


@pytest.fixture
def app_config(app_config, mail_config) -> dict:
    return app_config | mail_config


def page_url_in(message) -> str:
    [url] = re.findall(r"http://127\.0\.0\.1:\d+/p/\S+", message.get_body(("plain",)).get_content())
    return url


def test_a_visitor_shares_copies_opens_their_page_and_recovers_it(
    worker, browser, page, live_server, make_campaign, inbox: Inbox, watch
):
    campaign = make_campaign(slug="case", title="Stop the Snoopers", pledge_page=True)
    page.goto(f"/c/{campaign.slug}")
    page.get_by_text("More ways to share").click()  # not among the three first channels
    page.get_by_role("button", name="I'll share by link").click()
    expect(page.get_by_role("heading", name="Your link for Stop the Snoopers")).to_be_visible()
    page.wait_for_load_state()  # the form's answer: its deferred copy script listens by then

    link = page.get_by_label("Your link")
    url = link.input_value()
    assert re.fullmatch(rf"{live_server}/s/[0-9a-z]+\.[0-9a-z]{{16}}", url)
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#link-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url

    page.get_by_label("Email me my page's address (optional)").fill(ADDRESS)
    page.get_by_role("button", name="Email me the address").click()
    expect(page.get_by_role("heading", name="On its way")).to_be_visible()
    [first] = inbox.wait_for(1)
    page_url = page_url_in(first)

    page.get_by_role("link", name="Your page: see what your shares raise").click()
    expect(page.get_by_role("heading", name="Your shares")).to_be_visible()
    assert page.url == page_url
    expect(page.get_by_label("Link", exact=True)).to_have_value(url)

    # Another browser, nothing remembered: the way back is the email address.
    stranger = browser.new_context(base_url=live_server)
    stranger.on("request", watch.record)  # checked for other origins at the end, too
    lost = stranger.new_page()
    lost.goto("/p/recover")
    lost.get_by_label("Your email address").fill(ADDRESS.upper())
    lost.get_by_role("button", name="Send me my page").click()
    expect(lost.get_by_text("If we know that address, we have sent the link")).to_be_visible()
    second = inbox.wait_for(2)[1]
    assert page_url_in(second) == page_url
    lost.goto(page_url)
    expect(lost.get_by_role("heading", name="Your shares")).to_be_visible()
    stranger.close()
