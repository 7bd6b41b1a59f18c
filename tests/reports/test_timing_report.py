"""The report's figures for pledges without a ref: estimated from timing, beside exact credit."""

from __future__ import annotations

import datetime as dt

import pytest

from sharetrack.extensions import db
from sharetrack.tracking import rollup
from tests.conftest import BOTH_ENGINES
from tests.pledges.conftest import iso

TODAY = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time())
DAY = dt.timedelta(days=1)


@BOTH_ENGINES
@pytest.mark.parametrize("folded", [False, True], ids=["raw-clicks", "folded-days"])
def test_refless_money_follows_the_channel_clicked_before_it(
    app, make_campaign, make_share, add_clicks, deliver, pledge_body, get_report, folded
):
    campaign = make_campaign()
    facebook, fb_token = make_share(campaign, channel="facebook")
    x, _ = make_share(campaign, channel="x")
    add_clicks(facebook, 60, TODAY - 8 * DAY + dt.timedelta(hours=9), unique=True)
    add_clicks(x, 60, TODAY - 3 * DAY + dt.timedelta(hours=9), unique=True)
    for n in range(4):  # ref-less pledges hours after facebook's clicks
        at = TODAY - 8 * DAY + dt.timedelta(hours=11 + n)
        body = pledge_body(campaign, amount_minor=1_000, status="paid", occurred_at=iso(at))
        assert deliver(body).status_code == 201
    exact = pledge_body(
        campaign,
        amount_minor=7_000,
        status="paid",
        occurred_at=iso(TODAY - 8 * DAY + dt.timedelta(hours=10)),
        ref=fb_token,
    )
    assert deliver(exact).status_code == 201
    if folded:
        with app.app_context():
            rollup.fold(db.session)
            db.session.commit()
    report = get_report(campaign)
    totals = report["totals"]
    assert (totals["without_ref_minor"], totals["without_ref_pledges"]) == (4_000, 4)
    assert totals["attributed_minor"] == 7_000  # exact credit: the ref-carrying pledge only
    rows = {row["channel"]: row for row in report["channels"]}
    assert rows["facebook"]["attributed_minor"] == 7_000  # never added to
    assert rows["x"]["attributed_minor"] == 0
    assert rows["facebook"]["timing_minor"] > 2 * rows["x"]["timing_minor"]
    assert rows["facebook"]["timing_minor"] > totals["baseline_minor"]
    spread = sum(r["timing_minor"] for r in rows.values()) + totals["baseline_minor"]
    assert abs(spread - 4_000) <= 2


@BOTH_ENGINES
def test_a_period_reads_only_its_own_refless_pledges(
    app, make_campaign, make_share, add_clicks, deliver, pledge_body, get_report
):
    campaign = make_campaign()
    facebook, _ = make_share(campaign, channel="facebook")
    add_clicks(facebook, 30, TODAY - 6 * DAY, unique=True)
    for days, amount in [(6, 1_000), (2, 500)]:
        at = TODAY - days * DAY + dt.timedelta(hours=2)
        deliver(pledge_body(campaign, amount_minor=amount, status="paid", occurred_at=iso(at)))
    since = (TODAY - 3 * DAY).date().isoformat()
    report = get_report(campaign, **{"from": since})
    assert (report["totals"]["without_ref_minor"], report["totals"]["without_ref_pledges"]) == (
        500,
        1,
    )
    row = report["channels"][0]
    assert row["timing_minor"] + report["totals"]["baseline_minor"] in (499, 500, 501)


def test_without_refless_pledges_the_figures_are_nothing(make_campaign, get_report):
    report = get_report(make_campaign())
    assert report["totals"]["without_ref_minor"] == report["totals"]["baseline_minor"] == 0
