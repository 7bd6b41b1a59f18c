"""Every page at phone and desktop widths: no sideways scrolling, no axe-core finding above
"minor", no CSP report, nothing from another origin.

`make screenshots` runs this module with SHARETRACK_SCREENSHOTS=1: a full-page screenshot of
each page lands in tests/browser/screenshots/ (`make test` takes none).
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from PIL import Image
from playwright.sync_api import expect

from sharetrack.auth import api_keys
from sharetrack.extensions import db
from sharetrack.leaflets import service as leaflets
from sharetrack.models import Campaign
from sharetrack.public import print_url
from tests.browser.tour import WIDTHS, axe_violations, screenshot, tables_too_wide, too_wide
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
SUMMARY = (
    "Our council sold residents' parking data to a marketing firm. We are taking it to court.\n\n"
    "Every pledge pays for the barrister's first hearing; what is left goes to the appeal."
)


@pytest.fixture
def world(app, seeded, make_staff, live_server):
    """The seeded campaign as a hosted page, a leaflet batch, an admin, an API key."""
    with app.app_context():
        campaign = db.session.get(Campaign, seeded.campaign.id)
        campaign.pledge_page = True
        campaign.summary = SUMMARY
        batch = leaflets.create_batch(
            db.session, campaign=campaign, label="Market stall", printed=200, place="High St"
        )
        api_keys.create(db.session, "Case website")
        db.session.commit()
        with app.test_request_context(base_url=live_server):
            sheet = print_url(batch.id)
    make_staff("ada@example.org", "admin")
    return SimpleNamespace(
        slug=seeded.campaign.slug, dashboard=seeded.dashboard, sheet=sheet.split("/", 3)[3]
    )


def sign_in(page) -> None:
    page.goto("/staff/login")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()


def pages(world) -> dict[str, callable]:
    """name -> a function that opens the page (some submit a form to get there)."""

    def at(url):
        return lambda page: page.goto(url)

    # A form's answer is another page: each waits for a mark of it, so the checks never run
    # on the page the form left (or on one still arriving).
    def failed_pledge(page):
        page.goto(f"/c/{world.slug}")
        page.get_by_label("Amount (GBP)").fill("twelve")
        page.get_by_role("button", name="Pledge", exact=True).click()
        expect(page.locator(".error-summary")).to_be_focused()

    def failed_campaign(page):
        page.goto("/staff/new")
        page.get_by_role("button", name="Create campaign").click()
        expect(page.locator(".error-summary")).to_be_focused()

    def new_api_key(page):
        page.goto("/staff/api-keys/")
        page.get_by_label("Name").fill("Newsletter")
        page.get_by_label("Scopes").select_option(["read"])
        page.get_by_role("button", name="Create key").click()
        expect(page.get_by_role("textbox", name="New key")).to_be_visible()

    def link_page(page):
        page.goto(f"/c/{world.slug}")
        page.get_by_text("More ways to share").click()  # the link is not among the top three
        page.get_by_role("button", name="I'll share by link").click()
        expect(page.get_by_role("heading", name="Your link for")).to_be_visible()

    experiments = f"/staff/campaigns/{world.slug}/experiments"

    def failed_experiment(page):
        page.goto(f"{experiments}/new")
        page.get_by_role("button", name="Start the experiment").click()
        expect(page.locator(".error-summary")).to_be_focused()

    def experiment(page):  # started through the form: the staff page of a running experiment
        page.get_by_label("Name", exact=True).fill("Urgency")
        variant = page.get_by_role("group", name="Variant 2", exact=True)
        variant.get_by_label("Heading").fill("Two weeks left to stop it")
        variant.get_by_label("Invitation").fill("Every share brings money in.")
        page.get_by_role("button", name="Start the experiment").click()
        expect(page.get_by_role("heading", name="Experiment: Urgency")).to_be_visible()

    def end_experiment(page):  # the confirm step, left unconfirmed
        page.get_by_label(re.compile("^Variant b")).check()
        page.get_by_role("button", name="End the experiment…").click()
        expect(page.get_by_role("heading", name="End “Urgency”?")).to_be_visible()

    def thanks_page(page):
        page.goto(f"/c/{world.slug}")
        page.get_by_label("Amount (GBP)").fill("12")
        page.get_by_role("button", name="Pledge", exact=True).click()
        expect(page.get_by_role("heading", name=re.compile("Thank you for"))).to_be_visible()

    return {
        "campaign-page": at(f"/c/{world.slug}"),
        "link-page": link_page,
        "campaign-page-error": failed_pledge,
        "promoter": at(f"/p/{world.dashboard}"),
        "promoter-erase": at(f"/p/{world.dashboard}/erase"),
        "embed": at(f"/embed/{world.slug}"),
        "staff-campaigns": at("/staff/"),
        "staff-report": at(f"/staff/campaigns/{world.slug}"),
        "staff-campaign-new-error": failed_campaign,
        "staff-campaign-edit": at(f"/staff/campaigns/{world.slug}/edit"),
        "staff-api-keys": new_api_key,
        "leaflet-sheet": at(f"/{world.sheet}"),
        "not-found": at("/no/such/page"),
        "error": at(f"/embed/{world.slug}?channels=myspace"),
        "promoter-erased": at("/p/erased"),
        # In this order: the failed form is the page the next one fills in.
        "staff-experiment-new-error": failed_experiment,
        "staff-experiment": experiment,
        "staff-experiment-end": end_experiment,
        # Last: its pledge waits for staff, and the report's "Pledges to confirm" table is not
        # yet cards on a phone (issue 22's staff part).
        "thanks-page": thanks_page,
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_and_passes_axe(page, world, width):
    """One test per width, so pytest-xdist can run the two at once."""
    csp_reports = []
    page.on(
        "console",
        lambda m: csp_reports.append(m.text) if "Content Security Policy" in m.text else None,
    )
    problems = []

    def check(name: str) -> None:
        page.wait_for_load_state()
        screenshot(page, name, width)
        if extra := too_wide(page):
            problems.append(f"{name} @ {width}: {extra} px wider than the window")
        problems.extend(f"{name} @ {width}: {t}" for t in tables_too_wide(page))
        problems.extend(f"{name} @ {width}: {v}" for v in axe_violations(page))

    page.set_viewport_size(WIDTHS[width])
    page.goto("/staff/login")
    check("staff-login")
    sign_in(page)
    tour = pages(world)
    if width == "desktop":  # its pledge first, so the report is seen with pledges to confirm
        tour = {"thanks-page": tour.pop("thanks-page"), **tour}
    for name, open_page in tour.items():
        open_page(page)
        check(name)
    assert not problems, "\n".join(problems)
    assert csp_reports == []


def test_the_social_card_is_a_1200_by_630_png_on_our_origin(page, world, live_server):
    page.goto(f"/c/{world.slug}")
    image_url = page.locator('meta[property="og:image"]').get_attribute("content")
    assert image_url == f"{live_server}/c/{world.slug}/card.png"
    assert page.locator('meta[name="twitter:card"]').get_attribute("content") == (
        "summary_large_image"
    )
    response = page.request.get(image_url)
    assert response.ok and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.body()))
    image.load()
    assert (image.format, image.size) == ("PNG", (1200, 630))
    page.goto(image_url)  # the browser decodes it too
    size = page.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]")
    assert size == [1200, 630]
