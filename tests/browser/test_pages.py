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
    expect(window).to_have_attribute("aria-describedby", re.compile(r"\bwindow_days-error\b"))
    expect(page.get_by_label("Title")).to_have_value("Stop the Snoopers")  # typed values stay
    expect(page.get_by_label("Target")).to_have_value("12,500")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0

    window.fill("45")
    page.get_by_role("button", name="Create campaign").click()
    expect(page).to_have_url(f"{live_server}/staff/campaigns/stop-snoopers")
    expect(page.get_by_role("heading", name="Stop the Snoopers")).to_be_visible()
    expect(page.get_by_text("£12,500.00")).to_be_visible()

    page.get_by_role("link", name="Campaigns").first.click()
    row = page.get_by_role("row", name=re.compile("Stop the Snoopers"))
    expect(row).to_contain_text("£12,500.00")
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
