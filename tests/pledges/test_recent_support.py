""" "Recent support" on the hosted page: counted pledges only, amount and when, a name only
where the supporter ticked "show my name"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign, Pledge, utcnow
from sharetrack.pledges import review
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN


@pytest.fixture
def hosted(make_campaign):
    return make_campaign(pledge_page=True, slug="hosted-case")


def pledge(client, **data) -> None:
    response = client.post("/c/hosted-case/pledge", data=data, headers=SAME_ORIGIN)
    assert response.status_code == 303, response.text


def decide(app, campaign, amount_minor: int, status: str, hours_ago: int) -> None:
    """Staff confirm or void the form pledge of this amount, made `hours_ago` hours ago."""
    with app.app_context():
        stored = db.session.scalar(sa.select(Pledge).where(Pledge.amount_minor == amount_minor))
        stored.pledged_at = utcnow() - dt.timedelta(hours=hours_ago, minutes=5)
        review.decide(
            db.session, db.session.get(Campaign, campaign.id), stored, status, "staff:a@b.org"
        )
        db.session.commit()


def recent(client) -> list[str]:
    html = client.get("/c/hosted-case").text
    section = re.search(r'<section class="recent-support".*?</section>', html, re.S)
    if section is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", section.group(0), re.S)
    return [re.sub(r"<[^>]+>", "", item).split() for item in items]


@BOTH_ENGINES
def test_only_counted_pledges_and_only_names_given_for_it(app, client, hosted, engine_name):
    pledge(client, name="Ada", show_name="y", amount="30")  # named, confirmed
    pledge(client, name="Grace", amount="20")  # a name, but not to be shown
    pledge(client, name="Mallory", show_name="y", amount="1000")  # never confirmed
    pledge(client, name="Eve", show_name="y", amount="40")  # voided
    pledge(client, show_name="y", amount="10")  # ticked, but no name to show
    with app.app_context():
        ticks = dict(db.session.execute(sa.select(Pledge.supporter_name, Pledge.show_name)).all())
    assert ticks == {"Ada": True, "Grace": False, "Mallory": True, "Eve": True, None: False}
    assert recent(client) == []  # nothing verified yet: anyone could have typed these

    decide(app, hosted, 3000, "paid", hours_ago=2)
    decide(app, hosted, 2000, "paid", hours_ago=1)
    decide(app, hosted, 4000, "cancelled", hours_ago=0)
    decide(app, hosted, 1000, "paid", hours_ago=3)
    assert recent(client) == [
        ["£20", "1", "hour", "ago"],
        ["£30", "from", "Ada", "2", "hours", "ago"],
        ["£10", "3", "hours", "ago"],
    ]
    html = client.get("/c/hosted-case").text
    for never in ("Grace", "Mallory", "Eve", "£1,000"):
        assert never not in html


def test_the_name_is_off_unless_ticked(client, hosted):
    html = client.get("/c/hosted-case").text
    box = re.search(r'<input[^>]*name="show_name"[^>]*>', html).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
