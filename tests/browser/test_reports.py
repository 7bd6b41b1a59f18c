"""The report page, the hosted pledge flow and the promoter's page in Debian's Chromium.

Every page fixture fails its test if any request left the app's origin. With
SHARETRACK_SCREENSHOTS=1 (`make screenshots`), screenshots of the report at desktop and phone
widths go to tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharetrack.extensions import db
from sharetrack.formatting import channel
from sharetrack.links import service as links
from sharetrack.models import Promoter, Share
from sharetrack.money import format_minor, is_whole
from sharetrack.promoters import identity
from sharetrack.services import services
from tests.browser.conftest import PHONE, OriginWatch, fits_the_screen
from tests.browser.tour import screenshot
from tests.pledges.conftest import iso
from tests.staff_fixtures import PASSWORD
from tests.staff_reports import conftest as report_fixtures

# The report fixtures (a seeded campaign, pledges through the webhook, the API's report).
add_clicks, app_config, deliver = (
    report_fixtures.add_clicks,
    report_fixtures.app_config,
    report_fixtures.deliver,
)
get_report, pledge_body, seeded = (
    report_fixtures.get_report,
    report_fixtures.pledge_body,
    report_fixtures.seeded,
)

pytestmark = pytest.mark.slow
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, email: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()


def money(minor: int) -> str:
    return format_minor(minor, "GBP", whole=is_whole(minor, "GBP"))


def channel_cells(page) -> list[list[str]]:
    page.wait_for_load_state()  # the whole table, not the rows parsed so far
    return page.locator("#channels tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def test_staff_reads_the_report_switches_model_and_downloads_csv(
    page, make_staff, seeded, get_report, auth, client, live_server
):
    campaign = seeded.campaign
    make_staff("ada@example.org", "viewer")
    sign_in(page, "ada@example.org")
    page.get_by_role("link", name="Stop the Snoopers").click()
    expect(page.get_by_role("heading", name="Stop the Snoopers")).to_be_visible()
    expect(
        page.locator("svg.chart-wide:not(.chart-forecast)")
    ).to_be_visible()  # the narrow drawing is for phones
    expect(page.locator("svg.chart-narrow:not(.chart-forecast)")).to_be_hidden()
    # The forecast's fan chart, drawn on the server too.
    expect(page.locator('svg.chart[aria-labelledby="forecast-title-wide"]')).to_be_visible()

    page.set_viewport_size(DESKTOP)
    screenshot(page, "report", "desktop")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)  # wide tables become cards
    expect(page.locator("svg.chart-narrow:not(.chart-forecast)")).to_be_visible()
    expect(page.locator("svg.chart-wide:not(.chart-forecast)")).to_be_hidden()
    # Its labels stay legible: at least 12 CSS px as drawn on the phone.
    sizes = page.locator("svg.chart-narrow text").evaluate_all(
        """ts => ts.map(t => t.getAttribute("font-size")
                 * t.ownerSVGElement.getBoundingClientRect().width
                 / t.ownerSVGElement.viewBox.baseVal.width)"""
    )
    assert sizes and min(sizes) >= 12, sizes
    screenshot(page, "report", "phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_label("Attribution model").select_option("linear")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"\?model=linear"))
    linear = get_report(campaign, model="linear")
    shown = {row[0]: row[4] for row in channel_cells(page)}
    assert shown == {
        channel(r["channel"]): money(r["attributed_minor"]) for r in linear["channels"]
    }
    assert shown != {
        channel(r["channel"]): money(r["attributed_minor"])
        for r in get_report(campaign, model="first_click")["channels"]
    }  # the seeded pledges credit differently under the two models

    with page.expect_download() as info:
        page.get_by_role("link", name="Download channels (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"{campaign.slug}-channels-linear.csv"
    api_csv = client.get(
        f"/api/v1/campaigns/{campaign.slug}/report",
        headers=auth,
        query_string={"format": "csv", "table": "channels", "model": "linear"},
    ).data
    assert Path(download.path()).read_bytes() == api_csv


def test_a_bad_date_is_told_beside_the_field(page, make_staff, seeded):
    make_staff("ada@example.org", "viewer")
    sign_in(page, "ada@example.org")
    response = page.goto(f"/staff/campaigns/{seeded.campaign.slug}?from=2026-02-30")
    assert response.status == 422
    expect(page.locator("#from-error")).to_have_text("Enter a date as YYYY-MM-DD, like 2026-03-01.")
    expect(page.get_by_label("From (UTC day)")).to_have_attribute("aria-invalid", "true")


def test_a_pledge_through_a_shared_link_reaches_the_report_and_the_promoter(
    app, browser, page, make_staff, make_campaign, live_server
):
    campaign = make_campaign(
        slug="snoopers", title="Stop the Snoopers", landing_url=f"{live_server}/c/snoopers"
    )
    with app.app_context():
        db.session.get(type(campaign), campaign.id).pledge_page = True
        db.session.commit()

    # A visitor offers to share on Facebook. The app answers with a page of its own holding the
    # link and Facebook's share dialog link (a redirect there would break CSP form-action).
    page.goto("/c/snoopers")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="I'll share on Facebook").click()
    shared = popup.value
    link = shared.locator("#link").input_value()
    assert link.startswith(f"{live_server}/s/")
    intent = shared.get_by_role("link", name="Share on Facebook").get_attribute("href")
    assert urlsplit(intent).netloc == "www.facebook.com"
    assert parse_qs(urlsplit(intent).query)["u"] == [link]

    # A friend follows the link in a browser of their own and pledges on the campaign page.
    friend_watch = OriginWatch(live_server)
    friend = browser.new_context(base_url=live_server)
    friend.on("request", friend_watch.record)
    friend_page = friend.new_page()
    friend_page.goto(link)
    expect(friend_page).to_have_url(re.compile(r"/c/snoopers\?.*ref="))
    friend_page.get_by_label("Amount (GBP)").fill("25")
    friend_page.get_by_role("button", name="Pledge").click()
    expect(friend_page.get_by_role("heading", level=1)).to_have_text(
        "Thank you for your pledge of £25"
    )
    # The page and its form set no cookie of their own (no session): at most the link's touch.
    assert {c["name"] for c in friend.cookies()} <= {"st_touch"}
    friend.close()
    assert friend_watch.requests and friend_watch.elsewhere() == []

    # No payment confirmed it: an admin does, on the report page; then it credits the share.
    make_staff("ada@example.org", "admin")
    sign_in(page, "ada@example.org")
    page.goto("/staff/campaigns/snoopers")
    expect(page.locator("dl.totals")).to_contain_text("Promised, awaiting payment")
    page.get_by_role("button", name=re.compile(r"^Confirm pledge page-")).click()
    expect(page.locator("#trail")).to_contain_text("staff:ada@example.org")
    expect(page.get_by_text("No pledge is waiting for confirmation.")).to_be_visible()
    facebook = [row for row in channel_cells(page) if row[0] == "Facebook"]
    assert facebook and facebook[0][3:5] == ["1", "£25"]

    # And the promoter's page says what their share raised.
    with app.app_context():
        code = db.session.scalar(
            sa.select(Promoter.code)
            .join(Share, Share.promoter_id == Promoter.id)
            .where(Share.campaign_id == campaign.id, Share.channel == "facebook")
        )
        promoter = links.promoter_by_code(db.session, code)
        dashboard = identity.private_key(services(app).tokens, promoter)
        db.session.commit()
    page.goto(f"/p/{dashboard}")
    expect(page.locator("p.raised")).to_have_text("Your shares raised £25")


def test_timing_estimates_stand_beside_exact_credit_never_in_it(
    page, make_staff, seeded, deliver, pledge_body, get_report, live_server
):
    """Pledges without a ref get a column of their own; exact credit stays what refs say."""
    campaign = seeded.campaign
    before = get_report(campaign)
    at = report_fixtures.ago(6, 14)  # hours after the Facebook share's burst of clicks
    body = pledge_body(campaign, amount_minor=4_000, status="paid", occurred_at=iso(at))
    assert deliver(body).status_code == 201
    after = get_report(campaign)
    assert after["totals"]["without_ref_minor"] == before["totals"]["without_ref_minor"] + 4_000
    make_staff("ada@example.org", "viewer")
    sign_in(page, "ada@example.org")
    page.goto(f"/staff/campaigns/{campaign.slug}")
    headers = page.locator("#channels thead th").all_inner_texts()
    credited = next(i for i, h in enumerate(headers) if h.startswith("Credited"))
    assert headers[credited + 1].startswith("Estimated from timing")
    cells = {row[0]: row for row in channel_cells(page)}
    for r in after["channels"]:
        row = cells[channel(r["channel"])]
        assert row[credited] == money(r["attributed_minor"])  # exact, as the API says
        low, high = money(r["timing_low_minor"]), money(r["timing_high_minor"])
        assert row[credited + 1].startswith(money(r["timing_minor"]))
        assert row[credited + 1].endswith(f"{low}–{high}")
    exact = {r["channel"]: r["attributed_minor"] for r in before["channels"]}
    assert {r["channel"]: r["attributed_minor"] for r in after["channels"]} == exact
    expect(page.locator("dl.totals")).to_contain_text("Without a ref")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
