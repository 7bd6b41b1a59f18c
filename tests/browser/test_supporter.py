"""The supporter's path in Chromium at 375 and 1280 px: pledge first, a thank-you page whose
share buttons carry the pledge's link as parent, and the device's share sheet."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from sharetrack.extensions import db
from sharetrack.models import Share
from sharetrack.services import services
from tests.browser.tour import WIDTHS, axe_violations, too_wide

pytestmark = pytest.mark.slow

# Stands in for the Web Share API: Chromium on Linux has none. Records what it was given.
STUB_SHARE = """
  window.sharedWith = null;
  navigator.share = (data) => { window.sharedWith = data; return Promise.resolve(); };
"""


@pytest.fixture
def hosted(make_campaign, live_server):
    return make_campaign(
        pledge_page=True,
        slug="hosted-case",
        title="Stop the Snoopers",
        landing_url=f"{live_server}/c/hosted-case",
        summary="We are taking the government to court.",
        payment_instructions="Bank transfer to 12-34-56 12345678, reference SNOOP.",
        target_minor=500_000,
    )


def share_of(app, url: str) -> Share:
    """The share a link /s/<token> names."""
    token = urlsplit(url).path.rsplit("/", 1)[1]
    with app.app_context():
        share = db.session.get(Share, services(app).tokens.share_id(token))
        db.session.expunge(share)
    return share


def checked(page) -> list[str]:
    """What is wrong with the page at this width: sideways scrolling, axe findings."""
    problems = [f"{too_wide(page)} px too wide"] if too_wide(page) else []
    return problems + axe_violations(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_pledge_first_then_thanks_whose_shares_name_the_pledges_link(
    app, page, hosted, make_share, width
):
    page.set_viewport_size(WIDTHS[width])
    # Under GPC no touch cookie is set: the parent can come only from the pages' own forms.
    page.set_extra_http_headers({"Sec-GPC": "1"})
    arrived, token = make_share(hosted, channel="facebook")
    page.goto(f"/s/{token}")  # arrive through a share, as a supporter does
    expect(page).to_have_url(re.compile(r"/c/hosted-case\?.*\bref="))
    pledge = page.locator("section.pledge form").bounding_box()
    shares = page.locator(".promoter-box .channels").first.bounding_box()
    if width == "phone":
        assert pledge["y"] + pledge["height"] <= shares["y"]  # the whole form, then the list
    else:
        assert shares["x"] > pledge["x"] + pledge["width"] / 2  # side by side
        assert abs(shares["y"] - pledge["y"]) < 200
    assert checked(page) == []

    page.get_by_label("Your name (optional)").fill("Ada")
    page.get_by_label("Amount (GBP)").fill("25.50")
    page.get_by_role("button", name="Pledge").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you for your pledge"))).to_have_text(
        "Thank you for your pledge of £25.50"
    )
    expect(page).to_have_url(re.compile(r"/c/hosted-case/thanks/[0-9a-z]+\.[0-9a-z]{16}$"))
    expect(page.get_by_text("Bank transfer to 12-34-56 12345678, reference SNOOP.")).to_be_visible()
    # No cookie at all: the address alone carries the thank-you.
    assert page.context.cookies() == []
    assert checked(page) == []

    # "More ways to share" opens without script; the copied link names the pledge's link.
    page.get_by_text("More ways to share").click()
    page.get_by_role("button", name="I'll share by link").click()
    link = page.get_by_label("Your link")
    expect(link).to_have_value(re.compile(r"/s/"))
    child = share_of(app, link.input_value())
    assert (child.channel, child.parent_id) == ("link", arrived.id)


@pytest.mark.parametrize("width", WIDTHS)
def test_share_opens_the_devices_sheet_with_a_link_on_its_own_channel(
    app, page, hosted, make_share, width
):
    page.set_viewport_size(WIDTHS[width])
    page.add_init_script(STUB_SHARE)
    page.set_extra_http_headers({"Sec-GPC": "1"})  # no touch cookie: the form names the parent
    arrived, token = make_share(hosted, channel="x")
    page.goto(f"/s/{token}")
    expect(page).to_have_url(re.compile(r"\bref="))
    page.get_by_role("button", name="Share…").click()
    page.wait_for_function("() => window.sharedWith !== null")
    shared = page.evaluate("window.sharedWith")
    assert shared["title"] == "Stop the Snoopers"
    device = share_of(app, shared["url"])
    assert (device.channel, device.parent_id) == ("device", arrived.id)
    expect(page).to_have_url(re.compile(r"/c/hosted-case\?"))  # the page stayed where it was
    expect(page.get_by_role("heading", name="Stop the Snoopers")).to_be_visible()
    assert checked(page) == []


def test_without_a_share_sheet_there_is_only_the_list(page, hosted):
    page.goto("/c/hosted-case")
    expect(page.get_by_role("button", name="I'll share on Facebook")).to_be_visible()
    assert page.evaluate("typeof navigator.share") == "undefined"
    expect(page.get_by_role("button", name="Share…")).to_be_hidden()
