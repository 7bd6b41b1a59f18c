"""The report's figures for pledges without a ref: estimated from timing, beside exact credit."""

from __future__ import annotations

import datetime as dt

import pytest

from sharetrack.estimates import refless
from sharetrack.estimates import timing as estimates_timing
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


@BOTH_ENGINES
def test_clicks_are_counted_by_hour_on_the_grid(app, make_campaign, make_share, add_clicks):
    # Counted by channel and hour in the database: each click in the hour it was made, the
    # grid starting at a start that is not midnight, across a day's end; bots left out.
    campaign = make_campaign()
    facebook, _ = make_share(campaign, channel="facebook")
    x, _ = make_share(campaign, channel="x")
    start = TODAY - 3 * DAY + dt.timedelta(hours=22)
    add_clicks(facebook, 3, start + dt.timedelta(minutes=59, seconds=59))
    add_clicks(facebook, 2, start + dt.timedelta(hours=2, minutes=1))  # the next day, 00:01
    add_clicks(x, 4, start + dt.timedelta(hours=25, minutes=30))
    add_clicks(x, 5, start + dt.timedelta(hours=25), bot=True)
    add_clicks(x, 7, start - dt.timedelta(minutes=1))  # before the grid
    with app.app_context():
        channels, grid = refless._clicks(db.session, campaign.id, start, 30)
    assert channels == ["facebook", "x"]
    assert {(c, h): n for c, row in zip(channels, grid, strict=True)
            for h, n in enumerate(row) if n} == {
        ("facebook", 0): 3, ("facebook", 2): 2, ("x", 25): 4
    }  # fmt: skip


@BOTH_ENGINES
def test_the_fit_is_kept_until_the_data_changes(
    app, make_campaign, make_share, add_clicks, deliver, pledge_body, get_report, monkeypatch
):
    # The first load fits; a reload (report, CSV or API) reads the kept figures; a new pledge
    # names new ones. The cache is the shared one (cache.py), named by the data's fingerprint.
    campaign = make_campaign()
    facebook, _ = make_share(campaign, channel="facebook")
    add_clicks(facebook, 40, TODAY - 4 * DAY + dt.timedelta(hours=9), unique=True)
    at = TODAY - 4 * DAY + dt.timedelta(hours=11)
    deliver(pledge_body(campaign, amount_minor=2_000, status="paid", occurred_at=iso(at)))
    fits = []
    real = estimates_timing.attribute
    monkeypatch.setattr(
        estimates_timing, "attribute", lambda *a, **k: fits.append(1) or real(*a, **k)
    )
    first = get_report(campaign)
    reads = []
    real_clicks = refless._clicks
    monkeypatch.setattr(refless, "_clicks", lambda *a: reads.append(1) or real_clicks(*a))
    again = get_report(campaign)
    assert len(fits) == 1 and reads == []  # neither fitted nor read again
    assert again["channels"] == first["channels"] and again["totals"] == first["totals"]
    assert get_report(campaign, **{"from": (TODAY - 5 * DAY).date().isoformat()})  # a period
    assert len(fits) == 2  # is its own entry
    later = at + dt.timedelta(hours=3)
    deliver(pledge_body(campaign, amount_minor=1_000, status="paid", occurred_at=iso(later)))
    changed = get_report(campaign)
    assert len(fits) == 3 and changed["totals"]["without_ref_pledges"] == 2
