"""The staff pages of issue 22 in Chromium at 375 and 1280 px: the next-steps panel, Void's
confirm step, the forecast's labels, updates; each page fits its window and passes axe."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharetrack.extensions import db
from sharetrack.models import Campaign, Pledge
from tests.browser.tour import WIDTHS, axe_violations, tables_too_wide, too_wide
from tests.staff_fixtures import PASSWORD
from tests.staff_reports import conftest as report_fixtures

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


def sign_in(page, email="ada@example.org") -> None:
    page.goto("/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()


def problems_on(page, name: str) -> list[str]:
    """axe's blocking findings, sideways scrolling and tables wider than their box."""
    page.wait_for_load_state()
    problems = [f"{name}: {v}" for v in axe_violations(page)]
    if extra := too_wide(page):
        problems.append(f"{name}: {extra} px wider than the window")
    return problems + [f"{name}: {t}" for t in tables_too_wide(page)]


def pledge_status(app) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Pledge.status))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_new_campaign_shows_its_next_steps(page, make_staff, width):
    page.set_viewport_size(WIDTHS[width])
    make_staff("ada@example.org", "admin")
    sign_in(page)
    page.goto("/staff/new")
    page.get_by_label("Short name").fill("snoopers")
    page.get_by_label("Title").fill("Stop the Snoopers")
    page.get_by_label("Landing page").fill("https://case.example/pledge")
    page.get_by_label("Hosted page").check()
    page.get_by_label("Organiser", exact=True).fill("Open Rights Group")
    page.get_by_role("button", name="Create campaign").click()
    panel = page.locator("#next-steps")
    expect(panel.get_by_role("heading", name="Next steps")).to_be_visible()
    expect(panel.locator('a[href$="/c/snoopers"]')).to_be_visible()
    snippet = panel.get_by_label("Embed snippet")
    expect(snippet).to_be_visible()
    assert 'height="1120"' in snippet.input_value()
    problems = problems_on(page, "report with next steps")
    panel.get_by_role("button", name="Make a share link").click()
    page.wait_for_url(re.compile(r"#next-steps$"))
    notice = panel.get_by_role("status")
    expect(notice).to_contain_text("/s/")
    expect(notice).to_be_in_viewport()  # the notice is where they acted
    # The public page it points at is the organiser's, in its own header.
    page.goto("/c/snoopers")
    expect(page.locator("header .brand")).to_have_text("Open Rights Group")
    problems += problems_on(page, "hosted page")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_void_asks_first_and_its_notice_is_in_view(app, page, make_staff, make_campaign, width):
    page.set_viewport_size(WIDTHS[width])
    make_campaign(slug="case", title="Stop the Snoopers", pledge_page=True)
    page.goto("/c/case")
    page.get_by_label("Amount (GBP)").fill("25")
    page.get_by_role("button", name="Pledge", exact=True).click()
    expect(page.get_by_text("Thank you")).to_be_visible()
    make_staff("ada@example.org", "admin")
    sign_in(page)
    page.goto("/staff/campaigns/case")
    problems = problems_on(page, "report with a pledge to confirm")
    void = page.get_by_role("link", name=re.compile(r"^Void pledge page-"))
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm pledge page-"))
    looks = [el.evaluate("e => getComputedStyle(e).borderColor") for el in (void, confirm)]
    assert looks[0] != looks[1]  # Void does not look like Confirm
    void.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Void pledge page-.*\?$"))).to_be_visible()
    problems += problems_on(page, "void confirm page")
    page.get_by_role("link", name="Keep it").click()  # changed their mind: nothing happens
    page.wait_for_url(re.compile(r"#pledge-\d+$"))
    assert pledge_status(app) == "pledged"
    page.get_by_role("link", name=re.compile(r"^Void pledge page-")).click()
    page.get_by_role("button", name=re.compile(r"^Void pledge page-")).click()
    page.wait_for_url(re.compile(r"#moderation$"))
    notice = page.locator("#moderation ~ p.notice").first
    expect(notice).to_contain_text("voided")
    expect(notice).to_be_in_viewport()
    assert pledge_status(app) == "cancelled"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_forecast_labels_are_12_to_16_px_with_ticks_and_today(page, make_staff, seeded, width):
    page.set_viewport_size(WIDTHS[width])
    make_staff("ada@example.org", "viewer")
    sign_in(page)
    page.goto(f"/staff/campaigns/{seeded.campaign.slug}")
    chart = page.locator("svg.chart-forecast:visible")
    expect(chart).to_have_count(1)
    # Each label's drawn size: its font size times the drawing's scale on this screen.
    sizes = chart.locator("text").evaluate_all(
        "ts => ts.map(t => t.getAttribute('font-size')"
        " * t.ownerSVGElement.getBoundingClientRect().width"
        " / t.ownerSVGElement.viewBox.baseVal.width)"
    )
    assert sizes and 12 <= min(sizes) and max(sizes) <= 16, sizes
    labels = chart.locator("text").all_text_contents()
    assert "today" in labels
    assert len([t for t in labels if t.startswith("£")]) >= 4, labels
    assert problems_on(page, "report") == []


@pytest.mark.parametrize("width", WIDTHS)
def test_an_update_posted_by_staff_is_on_the_hosted_page(
    app, page, make_staff, make_campaign, width
):
    page.set_viewport_size(WIDTHS[width])
    campaign = make_campaign(slug="case", title="Stop the Snoopers", pledge_page=True)
    with app.app_context():
        db.session.get(Campaign, campaign.id).accent_color = "#8b1a1a"
        db.session.commit()
    make_staff("ada@example.org", "admin")
    sign_in(page)
    page.goto("/staff/campaigns/case")
    page.get_by_role("link", name="Post an update").click()
    problems = problems_on(page, "new update")
    page.get_by_label("Title").fill("We did it!!!")
    page.get_by_label("Text").fill("The council backed down.\n\nPlease keep sharing.")
    page.get_by_role("button", name="Post update").click()
    expect(page.locator("#updates ~ p.notice").first).to_be_in_viewport()
    page.goto("/c/case")
    expect(page.get_by_role("heading", name="We did it!!!")).to_be_visible()
    pledge = page.get_by_role("button", name="Pledge", exact=True)
    assert pledge.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(139, 26, 26)"
    problems += problems_on(page, "hosted page with an update")
    assert not problems, "\n".join(problems)
