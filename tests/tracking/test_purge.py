"""`flask purge`: no salt (or visitor hash) of a day that began more than 48 hours ago survives."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import DailySalt, VisitorDay, utcnow
from tests.conftest import BOTH_ENGINES


@BOTH_ENGINES
def test_purge_keeps_only_today_and_yesterday(app, runner, make_share, engine_name):
    share, _ = make_share()
    today = utcnow().date()
    days = [today - dt.timedelta(days=n) for n in (0, 1, 2, 3, 30)]
    with app.app_context():
        for n, day in enumerate(days):
            db.session.add(DailySalt(day=day, salt=bytes([n]) * 32))
            db.session.add(VisitorDay(share_id=share.id, day=day, visitor_hash=bytes([n]) * 16))
        db.session.commit()

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 3 salt(s) and 3 visitor hash(es)" in result.output
    with app.app_context():
        assert set(db.session.scalars(sa.select(DailySalt.day))) == {today, days[1]}
        assert set(db.session.scalars(sa.select(VisitorDay.day))) == {today, days[1]}
    # Yesterday's salt is at most 48 hours old: its day began less than two days ago.
    assert utcnow() - dt.datetime.combine(days[1], dt.time()) < dt.timedelta(hours=48)

    again = runner.invoke(args=["purge"])
    assert "deleted 0 salt(s) and 0 visitor hash(es)" in again.output
