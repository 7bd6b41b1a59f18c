"""A hosted page under an experiment, in a real browser: the drawn variant's words, and its
share_text in the share intent."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from sharetrack.experiments import service
from sharetrack.experiments.schemas import VariantIn
from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.browser.conftest import PHONE, fits_the_screen
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
