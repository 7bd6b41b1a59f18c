"""Retention: `flask purge` deletes raw clicks older than CLICK_RETENTION_DAYS once folded, and
every figure a report, the leaflet list or a staff page shows stays the same."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Click, LeafletBatch
from sharetrack.reports import overview, queries
from sharetrack.tracking import retention, rollup
from tests.conftest import BOTH_ENGINES, click_rows

# A day is folded rollup.GRACE (10 min) after it ends, so in the first minutes after midnight
# yesterday is not closed yet: these tests then take "now" from the evening before.
_CLOCK = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
NOW = _CLOCK - dt.timedelta(minutes=30) if _CLOCK.time() < dt.time(0, 15) else _CLOCK
TODAY = NOW.date()


def at(days_ago: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour))


@pytest.fixture
def history(app, make_campaign, make_share):
    """Clicks from 700 days ago to today on a facebook share, an x share and a leaflet batch."""
    campaign = make_campaign()
    fb, _ = make_share(campaign, channel="facebook")
    x, _ = make_share(campaign, channel="x")
    leaflet, _ = make_share(campaign, channel="leaflet")
    other, _ = make_share(make_campaign(), channel="x")
    rows = []
    for share, days_ago, n, unique, bot, scan in [
        (fb, 700, 3, True, False, False),
        (fb, 401, 2, False, True, False),
        (x, 401, 4, True, False, False),
        (leaflet, 450, 5, True, False, True),
        (leaflet, 450, 2, False, False, True),
        (leaflet, 450, 1, True, False, False),
        (fb, 399, 6, True, False, False),
        (leaflet, 30, 3, True, False, True),
        (x, 1, 2, False, False, False),
        (fb, 0, 4, True, False, False),
        (leaflet, 0, 2, True, False, True),
        (other, 500, 7, True, False, False),
    ]:
        rows += click_rows(share.id, at(days_ago), n, unique=unique, bot=bot, scan=scan)
    with app.app_context():
        db.session.execute(sa.insert(Click), rows)
        db.session.add(LeafletBatch(share_id=leaflet.id, label="Market, May", printed=400))
        db.session.commit()
    return campaign, [fb.id, x.id, leaflet.id]


def raw_clicks() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Click))


def pages(app, campaign, share_ids) -> dict:
    """The campaigns list's counts (reports/overview.py) and the per-channel and per-share
    click counts the report page and the promoter page read (reports/queries.py)."""
    with app.app_context():
        listed = {
            row.campaign.id: (row.shares, row.clicks, row.unique_clicks)
            for row in overview.campaigns_with_figures(db.session)
        }
        return {
            "campaigns": listed,
            "channels": queries.clicks_by(db.session, campaign.id, "channel"),
            "shares": queries.clicks_by(db.session, campaign.id, "share_id", share_ids=share_ids),
        }


def reports(client, auth, campaign) -> dict:
    """The report API (JSON, every model, and the three CSV tables) and the leaflet list."""
    base = f"/api/v1/campaigns/{campaign.slug}"
    out = {}
    for model in ("last_click", "linear"):
        response = client.get(f"{base}/report?model={model}", headers=auth)
        assert response.status_code == 200, response.json
        out[model] = response.json
    for table in ("channels", "promoters", "daily"):
        response = client.get(f"{base}/report?format=csv&table={table}", headers=auth)
        assert response.status_code == 200
        out[table] = response.data.decode()
    response = client.get(f"{base}/leaflets", headers=auth)
    assert response.status_code == 200
    out["leaflets"] = response.json
    return out


@BOTH_ENGINES
def test_purge_deletes_old_raw_clicks_and_every_figure_stays(
    app, client, runner, auth, history, engine_name
):
    campaign, share_ids = history
    unfolded = pages(app, campaign, share_ids)  # read from raw clicks alone: nothing folded yet
    assert unfolded["campaigns"][campaign.id] == (3, 32, 28)
    before_reports = reports(client, auth, campaign)  # the report API folds closed days
    assert before_reports["last_click"]["totals"]["clicks"] == 32
    (batch,) = before_reports["leaflets"]["leaflets"]
    assert (batch["visits"], batch["scans"], batch["unique_scans"]) == (13, 12, 10)
    assert pages(app, campaign, share_ids) == unfolded
    with app.app_context():
        assert raw_clicks() == 41

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "24 raw click(s) older than 400 days" in result.output
    with app.app_context():
        assert raw_clicks() == 41 - 24  # 700, 500, 450 and 401 days ago are gone
        oldest = db.session.scalar(sa.select(sa.func.min(Click.at)))
        assert oldest == at(399)

    assert reports(client, auth, campaign) == before_reports
    assert pages(app, campaign, share_ids) == unfolded


@BOTH_ENGINES
def test_an_unfolded_day_is_never_deleted(app, ctx, history, engine_name):
    # Folded only up to 600 days ago: clicks from then on stay raw, however old.
    rollup.fold(db.session, now=at(600))
    db.session.commit()
    assert rollup.watermark(db.session) == TODAY - dt.timedelta(days=600)
    assert retention.cutoff(NOW, 400, rollup.watermark(db.session)) == at(600, 0)
    # purge_clicks folds first, so in practice everything closed is folded before deleting.
    deleted = retention.purge_clicks(db.session, 400, now=NOW)
    db.session.commit()
    assert deleted == 24
    assert rollup.watermark(db.session) == TODAY


def test_cutoff_is_the_earlier_of_the_retention_period_and_the_watermark():
    now = dt.datetime(2026, 6, 1, 3, 0)
    assert retention.cutoff(now, 400, None) is None
    assert retention.cutoff(now, 400, dt.date(2026, 6, 1)) == now - dt.timedelta(days=400)
    assert retention.cutoff(now, 1, dt.date(2026, 5, 1)) == dt.datetime(2026, 5, 1)


def test_retention_days_come_from_the_configuration(app, runner, history):
    app.config["CLICK_RETENTION_DAYS"] = 20
    result = runner.invoke(args=["purge"])
    assert "older than 20 days" in result.output
    with app.app_context():
        assert raw_clicks() == 2 + 4 + 2  # yesterday's and today's


@BOTH_ENGINES
def test_a_long_purge_deletes_in_batches_and_lets_clicks_in_between(
    app, ctx, history, make_share, engine_name
):
    """Each batch is its own transaction: another writer gets in between (on SQLite it would
    wait behind one big delete), and the total is the same as in one go."""
    share, _ = make_share()
    batches = []

    @sa.event.listens_for(db.session, "after_commit")
    def write_between_batches(_session):
        batches.append(1)
        with db.engine.begin() as other:  # a redirect storing a click meanwhile
            other.execute(sa.insert(Click).values(share_id=share.id, at=NOW))

    try:
        deleted = retention.purge_clicks(db.session, 400, now=NOW, batch=5)
    finally:
        sa.event.remove(db.session, "after_commit", write_between_batches)
    assert deleted == 24
    assert len(batches) == 1 + 5  # the fold, then batches of 5, 5, 5, 5 and 4
    today = db.session.scalar(
        sa.select(sa.func.count()).select_from(Click).where(Click.share_id == share.id)
    )
    assert today == len(batches)
    assert raw_clicks() == 41 - 24 + len(batches)
