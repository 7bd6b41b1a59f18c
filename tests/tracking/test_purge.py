"""No salt or visitor hash of a day that began more than 48 hours ago survives, and forgetting
the hashes changes no figure."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Click, DailySalt, utcnow
from sharetrack.reports import queries
from sharetrack.services import services
from sharetrack.tracking import retention, rollup
from tests.conftest import BOTH_ENGINES, click_rows
from tests.links.test_redirect import visit

AGES = (0, 1, 2, 3, 30)


@pytest.fixture
def hashed_days(app, make_share):
    """A salt and two unique visits (plus a machine) on each of five days; returns the share."""
    share, token = make_share()
    today = utcnow().date()
    with app.app_context():
        for n, age in enumerate(AGES):
            day = today - dt.timedelta(days=age)
            db.session.add(DailySalt(day=day, salt=bytes([n]) * 32))
            noon = dt.datetime.combine(day, dt.time(0, 1))
            rows = click_rows(share.id, noon, 2, unique=True) + click_rows(share.id, noon, bot=True)
            db.session.execute(sa.insert(Click), rows)
        db.session.commit()
    return share, token


def hashed_days_left() -> set[dt.date]:
    return set(db.session.scalars(sa.select(Click.day).where(Click.visitor_hash.is_not(None))))


@BOTH_ENGINES
def test_purge_keeps_only_today_and_yesterday(app, runner, hashed_days, engine_name):
    share, _ = hashed_days
    today = utcnow().date()
    yesterday = today - dt.timedelta(days=1)
    with app.app_context():
        before = queries.clicks_by(db.session, share.campaign_id, "day")
    assert [before[d].unique_clicks for d in sorted(before)] == [2] * len(AGES)

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 3 salt(s) and 6 visitor hash(es)" in result.output
    with app.app_context():
        assert set(db.session.scalars(sa.select(DailySalt.day))) == {today, yesterday}
        assert hashed_days_left() == {today, yesterday}
        # Their days were folded first: every figure reads as before.
        assert queries.clicks_by(db.session, share.campaign_id, "day") == before
    # Yesterday's salt is at most 48 hours old: its day began less than two days ago.
    assert utcnow() - dt.datetime.combine(yesterday, dt.time()) < dt.timedelta(hours=48)

    again = runner.invoke(args=["purge"])
    assert "deleted 0 salt(s) and 0 visitor hash(es)" in again.output


@BOTH_ENGINES
def test_hashes_of_a_day_not_folded_yet_are_kept_until_it_is(app, ctx, hashed_days, engine_name):
    assert retention.forget_visitors(db.session) == 0  # nothing folded: nothing forgotten
    today = utcnow().date()
    rollup.fold(db.session, now=dt.datetime.combine(today - dt.timedelta(days=2), dt.time(1)))
    db.session.commit()  # folded: the day 30 days ago and the one 3 days ago
    assert retention.forget_visitors(db.session) == 4
    db.session.commit()
    assert hashed_days_left() == {today - dt.timedelta(days=age) for age in (0, 1, 2)}


@BOTH_ENGINES
def test_a_workers_first_click_of_a_day_expires_old_salts_and_hashes(
    app, client, hashed_days, engine_name
):
    share, token = hashed_days
    today = utcnow().date()
    services(app).salts.clear()  # this worker has not seen today yet
    assert visit(client, f"/s/{token}").status_code == 302
    with app.app_context():
        assert hashed_days_left() == {today, today - dt.timedelta(days=1)}
        assert len(list(db.session.scalars(sa.select(DailySalt.day)))) == 2
        counts = queries.clicks_by(db.session, share.campaign_id, "day")
    assert [counts[d].unique_clicks for d in sorted(counts)] == [2, 2, 2, 2, 3]
