"""Where a campaign's refs are too few, its share values rest on timing (basis "timing")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest
import sqlalchemy as sa

from sharetrack.estimates import figures
from sharetrack.estimates.share_value import Estimate, ShareHistory, estimate_all
from sharetrack.estimates.timing_basis import (
    MIN_REF_INFORMATION,
    on_timing,
    ref_information,
    rests_on_timing,
)
from sharetrack.extensions import db
from sharetrack.models import Share, utcnow
from tests.conftest import BOTH_ENGINES
from tests.pledges.conftest import iso
from tests.reports.conftest import add_clicks  # noqa: F401
from tests.staff_fixtures import admin, make_staff, sign_in  # noqa: F401

# A channel with 40 matured shares and £40 of exact credit from two ref-carrying pledges.
THIN = Estimate(150, 20, 900, 40, "pooled", information=2.0, exposure=40.0, credited_minor=4000)


def test_information_counts_credit_events_not_shares():
    many_shares = [ShareHistory("c", "facebook", 90.0, 7) for _ in range(400)]
    many_shares += [ShareHistory("c", "facebook", 90.0, 7, ((1.0, 2000.0),)) for _ in range(3)]
    few_shares = [ShareHistory("d", "facebook", 90.0, 7, ((1.0, 2000.0),)) for _ in range(15)]
    found = estimate_all(many_shares + few_shares, ["facebook"], "c")
    assert found["facebook"].shares == 403
    assert ref_information(found.values()) == pytest.approx(3, abs=0.5)
    assert rests_on_timing(ref_information(found.values()), refless_pledges=30)
    other = estimate_all(many_shares + few_shares, ["facebook"], "d")
    assert ref_information(other.values()) >= MIN_REF_INFORMATION
    assert not rests_on_timing(ref_information(other.values()), refless_pledges=300)


def test_timing_needs_refless_pledges_many_enough():
    assert not rests_on_timing(2.0, refless_pledges=5)  # too few ref-less pledges to say more
    assert not rests_on_timing(8.0, refless_pledges=12)  # not clearly more than the refs hold
    assert rests_on_timing(8.0, refless_pledges=40)


def test_the_value_on_timing_is_credit_and_timing_money_over_exposure_widened():
    found = on_timing(THIN, (36_000, 24_000, 50_000))
    assert found is not None and found.basis == "timing"
    assert found.estimate_minor == (4000 + 36_000) / 40
    # The timing model's 80% interval, carried to a wider 90%: wider on both sides.
    assert found.low_minor < (4000 + 24_000) / 40
    assert found.high_minor > (4000 + 50_000) / 40
    log_width = math.log(found.high_minor / found.low_minor)
    assert log_width > 1.9 * math.log(54_000 / 28_000)
    assert found.shares == THIN.shares and found.level == THIN.level


def test_no_timing_value_without_exposure_or_money():
    assert on_timing(dataclasses.replace(THIN, exposure=0.3), (36_000, 24_000, 50_000)) is None
    assert on_timing(THIN, (0, 0, 0)) is None


def test_a_timing_figure_is_never_a_headline():
    steady = Estimate(2000, 1500, 2600, 300, "campaign", information=80.0, exposure=290.0)
    assert figures.headline(steady, "GBP") == "£20"
    on_clicks = dataclasses.replace(steady, basis="timing")
    # Staff see it greyed with its reason; no public page shows it (clicks are anyone's).
    assert figures.hidden_reason(on_clicks, "GBP") == "rests_on_timing"
    assert figures.display(on_clicks, "GBP") is None
    assert figures.headline(on_clicks, "GBP") is None
    assert figures.ranked({"x": on_clicks, "facebook": steady}, "GBP", ["x", "facebook"]) == [
        "facebook",
        "x",
    ]


TODAY = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time())


@pytest.fixture
def refless_campaign(app, make_campaign, make_share, add_clicks, deliver, pledge_body):  # noqa: F811
    """A campaign whose Facebook shares' clicks were followed by 24 pledges without a ref and
    one with: 12 shares a month old, 40 clicks on each of four days, pledges hours after."""
    campaign = make_campaign(window_days=7)
    made = [make_share(campaign, "facebook") for _ in range(12)]
    with app.app_context():
        db.session.execute(
            sa.update(Share)
            .where(Share.id.in_([s.id for s, _t in made]))
            .values(created_at=utcnow() - dt.timedelta(days=30))
        )
        db.session.commit()
    for day in range(4):
        clicked = TODAY - dt.timedelta(days=25 - 5 * day, hours=-9)
        add_clicks(made[day][0], 40, clicked, unique=True)
        for n in range(6):
            at = clicked + dt.timedelta(hours=1 + n)
            body = pledge_body(campaign, amount_minor=2_000, status="paid", occurred_at=iso(at))
            assert deliver(body).status_code == 201
    first_click = TODAY - dt.timedelta(days=25, hours=-9)
    ref = pledge_body(
        campaign,
        amount_minor=2_000,
        status="paid",
        ref=made[0][1],
        occurred_at=iso(first_click + dt.timedelta(minutes=30)),
    )
    assert deliver(ref).status_code == 201
    return campaign


@BOTH_ENGINES
def test_the_api_and_the_staff_page_show_a_value_resting_on_timing(
    app,
    client,
    admin,  # noqa: F811
    refless_campaign,
    engine_name,
):
    body = client.get(f"/api/v1/campaigns/{refless_campaign.slug}/share-value").json
    channels = {c["channel"]: c for c in body["channels"]}
    facebook = channels["facebook"]
    assert facebook["basis"] == "timing"
    # 12 matured shares: the one exact £20 and most of the £480 without a ref, per share.
    assert 2_000 <= facebook["estimate_minor"] <= (2_000 + 48_000) / 12
    assert facebook["low_minor"] < facebook["estimate_minor"] < facebook["high_minor"]
    assert channels["x"]["basis"] == "prior"  # no shares: nothing of its own to time
    page = admin.get(f"/staff/campaigns/{refless_campaign.slug}").text
    table = page.split('<table id="channels" class="cards">', 1)[1].split("</table>", 1)[0]
    row = table.split('<th scope="row">Facebook</th>', 1)[1].split("</tr>", 1)[0]
    assert "from timing: few refs" in row and "basis-timing" in row
    hosted = client.get(f"/c/{refless_campaign.slug}").text
    assert "could raise" not in hosted  # never a headline


@BOTH_ENGINES
def test_plenty_of_refs_keep_the_campaigns_own_basis(
    app, client, earning_campaign, engine_name, deliver, pledge_body
):
    campaign = earning_campaign(shares=12, pledges=11)  # 11 ref-carrying pledges
    for _ in range(23):  # and twice as many without a ref: the refs still say enough
        assert deliver(pledge_body(campaign, amount_minor=5000, status="paid")).status_code == 201
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/share-value").json
    facebook = next(c for c in body["channels"] if c["channel"] == "facebook")
    assert facebook["basis"] == "campaign"
