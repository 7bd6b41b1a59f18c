"""A hosted page under an experiment, in a real browser: the drawn variant's words, and its
share_text in the share intent."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from sharetrack.experiments import service
from sharetrack.experiments.schemas import VariantIn
from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.browser.conftest import PHONE, fits_the_screen
from tests.browser.test_staff_pages import sign_in
from tests.browser.tour import axe_violations

pytestmark = pytest.mark.slow

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
WORDS = {
    "Two weeks left to stop it": "Help stop the snoopers before the hearing",
    "Your share pays for the lawyers": "Every pound goes to the barristers",
}


def experimenting(app, make_campaign):
    """A hosted campaign running an experiment with the two WORDS variants."""
    campaign = make_campaign(title="Stop the Snoopers", pledge_page=True, summary="A case.")
    with app.app_context():
        service.create(
            db.session,
            db.session.get(Campaign, campaign.id),
            name="Words",
            allocation="equal",
            variants=[
                VariantIn(key=f"v{n}", heading=h, text="Share it, please.", share_text=t)
                for n, (h, t) in enumerate(WORDS.items())
            ],
        )
        db.session.commit()
    return campaign


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 900}])
def test_a_variant_heading_and_its_share_text(app, page, make_campaign, size):
    campaign = experimenting(app, make_campaign)
    page.set_viewport_size(size)
    # Headless Chromium says so in its user agent, and a machine's view draws no variant.
    page.set_extra_http_headers({"User-Agent": BROWSER})
    page.goto(f"/c/{campaign.slug}")
    heading = page.locator("#promoter-heading").inner_text()
    assert heading in WORDS
    assert axe_violations(page) == []
    assert fits_the_screen(page)
    page.get_by_text("More ways to share").click()  # email is not among the three first
    page.get_by_role("button", name="I'll share by email").click()
    intent = page.get_by_role("link", name="Share by email")
    expect(intent).to_be_visible()
    assert f"subject={quote(WORDS[heading], safe='')}" in intent.get_attribute("href")


def test_the_embed_box_shows_a_variant_and_its_share_carries_the_share_text(
    app, page, make_campaign
):
    campaign = experimenting(app, make_campaign)
    page.set_viewport_size(PHONE)
    page.set_extra_http_headers({"User-Agent": BROWSER})
    page.goto(f"/embed/{campaign.slug}")
    heading = page.locator("#promoter-heading").inner_text()
    assert heading in WORDS
    assert axe_violations(page) == []
    with page.context.expect_page() as opened:  # the box's buttons open a tab of ours
        page.get_by_role("button", name="I'll share by email").click()
    tab = opened.value
    tab.wait_for_url(f"**/embed/{campaign.slug}/share")
    intent = tab.get_by_role("link", name="Share by email")
    expect(intent).to_be_visible()
    assert f"subject={quote(WORDS[heading], safe='')}" in intent.get_attribute("href")


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 900}])
def test_staff_start_and_end_an_experiment_through_the_forms(page, make_staff, make_campaign, size):
    page.set_viewport_size(size)
    make_staff("ada@example.org", "admin")
    make_campaign(slug="snoopers", title="Stop the Snoopers", ask_heading="Be a promoter")
    sign_in(page)
    page.goto("/staff/campaigns/snoopers")
    page.get_by_role("link", name="Start an experiment").click()
    expect(page.get_by_role("heading", name="Start an experiment on the ask")).to_be_visible()
    control = page.get_by_role("group", name="Variant 1: the control")
    expect(control.get_by_label("Heading")).to_have_value("Be a promoter")
    alternative = page.get_by_role("group", name="Variant 2", exact=True)
    alternative.get_by_label("Heading").fill("Two weeks left to stop it")
    page.get_by_role("button", name="Start the experiment").click()
    # Refused: no name, and variant 2 has no invitation; the summary is focused.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Name is required")).to_be_visible()
    assert axe_violations(page) == [] and fits_the_screen(page)
    page.get_by_label("Name", exact=True).fill("Urgency")
    alternative.get_by_label("Invitation").fill("Every share brings money in.")
    page.get_by_label("Adaptive").check()
    assert axe_violations(page) == [] and fits_the_screen(page)
    page.get_by_role("button", name="Start the experiment").click()
    expect(page.get_by_role("heading", name="Experiment: Urgency")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Experiment “Urgency” started")
    assert axe_violations(page) == [] and fits_the_screen(page)
    page.get_by_role("link", name="Stop the Snoopers").click()
    section = page.locator("#experiments + p")
    expect(section.get_by_role("link", name="Urgency")).to_be_visible()
    section.get_by_role("link", name="Urgency").click()
    page.get_by_label(re.compile("^Variant b")).check()
    page.get_by_role("button", name="End the experiment…").click()
    expect(page.get_by_role("heading", name="End “Urgency”?")).to_be_visible()
    assert axe_violations(page) == [] and fits_the_screen(page)
    page.get_by_role("button", name="End the experiment").click()
    expect(page.locator("#ended")).to_contain_text("variant b's words were kept")
    page.goto("/staff/campaigns/snoopers")
    expect(page.get_by_role("link", name="Start an experiment")).to_be_visible()
    expect(page.locator("#ended-experiments + ul")).to_contain_text("variant b kept")
