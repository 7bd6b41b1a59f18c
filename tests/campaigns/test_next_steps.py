"""After creating a campaign, its report says what to do next: page, box, link, leaflet, card."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Share
from tests.campaigns.test_pages import GOOD, submit
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import csrf_from


def panel(page: str) -> str:
    return re.search(r'<section class="next-steps".*?</section>', page, re.S).group(0)


def test_a_new_campaign_with_a_hosted_page_shows_every_next_step(admin):
    created = submit(admin, "/staff/new", **(GOOD | {"pledge_page": "y"}))
    steps = panel(admin.get(created.headers["Location"]).text)
    assert "<details open>" in steps  # nobody has shared it yet
    assert re.search(r'<a href="https?://[^"]+/c/snoopers"', steps)
    snippet = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", steps, re.S).group(1))
    assert snippet.startswith('<iframe src="') and "/embed/snoopers" in snippet
    assert 'height="1120"' in snippet  # every public channel: docs/embed.md's height
    assert "https://case.example" in steps  # the one origin that may frame it
    assert "/c/snoopers/card.png" in steps and 'href="#new-leaflets"' in steps
    assert "Make a share link" in steps


def test_without_a_hosted_page_the_panel_says_how_to_turn_it_on(admin, make_campaign):
    make_campaign(slug="snoopers")
    steps = panel(admin.get("/staff/campaigns/snoopers").text)
    assert "has no hosted page" in steps and "/staff/campaigns/snoopers/edit" in steps
    assert "card.png" not in steps and '/c/snoopers"' not in steps


@BOTH_ENGINES
def test_a_first_share_link_is_made_and_shown_in_the_panel(app, admin, make_campaign, engine_name):
    make_campaign(slug="snoopers")
    page = admin.get("/staff/campaigns/snoopers").text
    made = admin.post("/staff/campaigns/snoopers/first-share", data={"csrf_token": csrf_from(page)})
    assert made.status_code == 303 and made.headers["Location"].endswith("#next-steps")
    with app.app_context():
        [share] = db.session.scalars(sa.select(Share)).all()
    assert share.channel == "link"
    steps = panel(admin.get(made.headers["Location"]).text)
    assert "<details open>" in steps  # a share exists, but the notice must show
    assert re.search(r"Your share link: \S+/s/\S+ \(its promoter page", steps)
    assert admin.post("/staff/campaigns/snoopers/first-share").status_code == 400  # no token


def test_a_viewer_reads_the_panel_but_makes_no_link(viewer, make_campaign):
    make_campaign(slug="snoopers")
    steps = panel(viewer.get("/staff/campaigns/snoopers").text)
    assert "Make a share link" not in steps and "embed-snippet" in steps
    assert viewer.post("/staff/campaigns/snoopers/first-share").status_code in (400, 403)
