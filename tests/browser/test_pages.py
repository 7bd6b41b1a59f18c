"""Staff and promoters in a real browser; every request stays on the app's origin."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.models import Campaign
from sharetrack.promoters import identity
from sharetrack.services import services
from tests.browser.conftest import PHONE, fits_the_screen
from tests.staff_fixtures import PASSWORD

pytestmark = pytest.mark.slow


def test_staff_signs_in_and_creates_a_campaign(app, page, live_server, make_staff, watch):
    make_staff("ada@example.org", "admin")
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # the keyboard is enough
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Short name").fill("stop-snoopers")
    page.get_by_label("Title").fill("Stop the Snoopers")
    page.get_by_label("Landing page").fill("https://case.example/pledge")
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Target").fill("12,500")
    page.get_by_label("Attribution window (days)").fill("400")
    page.get_by_role("button", name="Create campaign").click()

    window = page.get_by_label("Attribution window (days)")
    expect(page.locator("#window_days-error")).to_have_text(
        "Attribution window (days) must be at most 365 days"
    )
    expect(window).to_have_attribute("aria-invalid", "true")
    # The error summary on top has the focus, and its link takes the keyboard to the field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link", name=re.compile("Attribution window")).click()
    expect(page).to_have_url(re.compile("#window_days$"))
    expect(window).to_have_attribute("aria-describedby", re.compile(r"\bwindow_days-error\b"))
    expect(page.get_by_label("Title")).to_have_value("Stop the Snoopers")  # typed values stay
    expect(page.get_by_label("Target")).to_have_value("12,500")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0

    window.fill("45")
    page.get_by_role("button", name="Create campaign").click()
    # (The browser keeps the #window_days the summary's link added across the redirect.)
    page.wait_for_url(re.compile(rf"^{live_server}/staff/campaigns/stop-snoopers(#|$)"))
    expect(page.get_by_role("heading", name="Stop the Snoopers")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Campaign “Stop the Snoopers” created.")
    expect(page.get_by_text("£12,500", exact=True)).to_be_visible()

    page.get_by_role("link", name="Campaigns").first.click()
    page.wait_for_url(f"{live_server}/staff/")
    row = page.get_by_role("row", name=re.compile("Stop the Snoopers"))
    expect(row).to_contain_text("£12,500")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    assert any(url.endswith("/static/site.css") for url in watch.requests)


def test_a_promoter_copies_a_link_from_their_page(app, page, live_server, make_campaign, watch):
    campaign = make_campaign(title="Stop the Snoopers")
    with app.app_context():
        person = links.create_promoter(db.session, display_name="Ada")
        for channel in ("facebook", "email"):
            links.get_or_create_share(
                db.session, campaign=campaign, promoter=person, channel=channel, parent_id=None
            )
        dashboard = identity.private_key(services(app).tokens, person)
        db.session.commit()

    page.set_viewport_size(PHONE)
    page.goto(f"/p/{dashboard}")
    expect(page.get_by_role("heading", name="Ada, your shares")).to_be_visible()
    assert fits_the_screen(page)
    link = page.get_by_label("Facebook")
    url = link.input_value()
    assert re.fullmatch(rf"{live_server}/s/[0-9a-z]+\.[0-9a-z]{{16}}", url)

    link.focus()
    page.keyboard.press("Tab")  # from the link to its Copy button, by keyboard
    page.keyboard.press("Enter")
    expect(page.locator(f"#{link.get_attribute('id')}-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url

    share = page.get_by_role("link", name="Share on Facebook")
    expect(share).to_have_attribute(
        "href", re.compile(r"^https://www\.facebook\.com/sharer/sharer\.php\?u=http")
    )
    expect(share).to_have_attribute("rel", "noopener noreferrer")
    assert any("/static/js/promoter.js" in u for u in watch.requests)
    assert page.context.cookies() == []  # the promoter's page leaves no cookie


def test_a_tampered_promoter_token_is_the_site_404(page, live_server):
    response = page.goto("/p/not-a-real-token.abcdef")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_a_failed_pledge_opens_at_its_focused_error_summary(app, page, make_campaign):
    campaign = make_campaign(title="Stop the Snoopers", pledge_page=True, summary="A case.")
    page.set_viewport_size(PHONE)
    page.goto(f"/c/{campaign.slug}")
    page.get_by_label("Your name (optional)").fill("Ada")
    page.get_by_label("Amount (GBP)").fill("12,50")  # en_GB: a comma groups thousands
    page.get_by_role("button", name="Pledge", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # In sight, not left below the fold (the pledge now comes first, so no scroll may be needed).
    expect(summary).to_be_in_viewport()
    expect(page.get_by_label("Your name (optional)")).to_have_value("Ada")
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile("#amount$"))
    page.get_by_label("Amount (GBP)").fill("£12.50")
    page.get_by_role("button", name="Pledge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your pledge of £12.50")
    assert fits_the_screen(page)


def test_an_admin_copies_the_new_api_key(page, make_staff):
    make_staff("ada@example.org", "admin")
    page.goto("/staff/login")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()  # signed in
    page.goto("/staff/api-keys/")
    page.get_by_label("Name").fill("Case website")
    page.get_by_label("Scopes").select_option(["read"])
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_role("textbox", name="New key").input_value()
    assert key.startswith("st_")
    page.wait_for_load_state("load")  # the deferred copy script is listening by then
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#new-key-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == key
