"""Folding closed days of clicks into click_days: reports read the same before and after."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Click, ClickDay
from sharetrack.reports import queries
from sharetrack.tracking import rollup
from tests.conftest import BOTH_ENGINES, click_rows

# A day is folded rollup.GRACE (10 min) after it ends, so in the first minutes after midnight
# yesterday is not closed yet: these tests then take "now" from the evening before.
_CLOCK = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
NOW = _CLOCK - dt.timedelta(minutes=30) if _CLOCK.time() < dt.time(0, 15) else _CLOCK
TODAY = NOW.date()


def at(days_ago: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour))


@pytest.fixture
def clicked(app, make_campaign, make_share):
    """Clicks on four days (today's still open) over two channels and a third share."""
    campaign = make_campaign()
    fb, _ = make_share(campaign, channel="facebook")
    x, _ = make_share(campaign, channel="x")
    other, _ = make_share(make_campaign(), channel="x")  # another campaign's clicks
    rows = []
    for share, days_ago, n, unique, bot in [
        (fb, 3, 5, True, False),
        (fb, 3, 2, False, True),
        (fb, 1, 4, False, False),
        (x, 2, 3, True, False),
        (x, 0, 6, True, False),
        (fb, 0, 1, False, True),
        (other, 1, 9, True, False),
    ]:
        rows += click_rows(share.id, at(days_ago), n, unique=unique, bot=bot)
    with app.app_context():
        db.session.execute(sa.insert(Click), rows)
        db.session.commit()
    return campaign, fb, x


def figures(campaign) -> dict:
    """Everything reports read about clicks, whole and for two periods."""
    out = {}
    for name, period in [
        ("all", queries.ALL_TIME),
        ("last two days", queries.Period(since=at(1, 0))),
        ("one day", queries.Period(since=at(3, 0), until=at(2, 0))),
    ]:
        out[name] = {
            "totals": queries.click_totals(db.session, campaign.id, period),
            **{
                by: queries.clicks_by(db.session, campaign.id, by, period)
                for by in ("share_id", "channel", "promoter_id", "day")
            },
        }
    return out


@BOTH_ENGINES
def test_a_day_reads_the_same_before_and_after_it_is_folded(app, ctx, clicked, engine_name):
    campaign, fb, x = clicked
    before = figures(campaign)
    assert before["all"]["totals"] == queries.Counts(clicks=18, unique_clicks=14, bot_clicks=3)

    made = rollup.fold(db.session, now=NOW)
    db.session.commit()
    assert made == 4  # share-days before today: fb×2, x×1, the other campaign's one
    assert rollup.watermark(db.session) == TODAY
    assert figures(campaign) == before

    # A retention job may now delete raw clicks of folded days; nothing changes.
    db.session.execute(sa.delete(Click).where(Click.at < dt.datetime.combine(TODAY, dt.time())))
    db.session.commit()
    assert figures(campaign) == before


@BOTH_ENGINES
def test_folding_twice_counts_once(app, ctx, clicked, engine_name):
    campaign, _, _ = clicked
    rollup.fold(db.session, now=NOW)
    db.session.commit()
    assert rollup.fold(db.session, now=NOW) == 0
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.sum(ClickDay.clicks))) == 5 + 4 + 3 + 9


def test_a_day_is_folded_only_once_it_is_well_over(app, ctx, clicked):
    campaign, _, _ = clicked
    midnight = dt.datetime.combine(TODAY, dt.time())
    rollup.fold(db.session, now=midnight + dt.timedelta(minutes=5))
    assert rollup.watermark(db.session) == TODAY - dt.timedelta(days=1)
    rollup.fold(db.session, now=midnight + dt.timedelta(minutes=11))
    assert rollup.watermark(db.session) == TODAY


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
def test_on_sqlite_a_busy_fold_is_skipped(app, ctx, clicked, engine_name):
    with db.engine.connect() as other:
        other.execute(sa.text("UPDATE campaigns SET title = title"))  # holds the write lock
        assert rollup.fold(db.session, now=NOW, wait=False) is None
        other.rollback()
    assert rollup.fold(db.session, now=NOW, wait=False) == 4


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_on_postgresql_a_busy_fold_is_skipped(app, ctx, clicked, engine_name):
    rollup.fold(db.session, now=NOW - dt.timedelta(days=2))
    db.session.commit()
    with db.engine.connect() as other:
        other.execute(sa.text("SELECT * FROM click_rollups WHERE id = 1 FOR UPDATE"))
        assert rollup.fold(db.session, now=NOW, wait=False) is None
        db.session.rollback()
        other.rollback()
    assert rollup.fold(db.session, now=NOW, wait=False) == 3


def test_the_report_api_folds_closed_days(app, client, auth, clicked):
    campaign, _, _ = clicked
    report = client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=auth).json
    assert report["totals"]["clicks"] == 18
    with app.app_context():
        assert rollup.watermark(db.session) == rollup.closed_before(
            dt.datetime.now(dt.UTC).replace(tzinfo=None)
        )


def test_the_cli_folds_closed_days(app, runner, clicked):
    result = runner.invoke(args=["rollup-clicks"])
    assert result.exit_code == 0
    assert "aggregate(s) made" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClickDay)) >= 4
