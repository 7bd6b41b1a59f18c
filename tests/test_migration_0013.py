"""Migration 0013: the `device` channel comes and goes without losing a link or a click."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.models import Campaign, ClickChannelDay, ClickDay, Share
from tests.test_migrations import empty_app  # noqa: F401  (fixture: both engines)

DAY, OTHER_DAY = dt.date(2026, 11, 30), dt.date(2026, 12, 1)


def _counts(clicks: int) -> dict:
    return {"clicks": clicks, "unique_clicks": clicks, "bot_clicks": 0}


def test_device_links_are_taken_after_and_become_copied_links_before(empty_app):  # noqa: F811
    with empty_app.app_context():
        upgrade()
        campaign = Campaign(slug="c", title="C", landing_url="https://case.example/")
        db.session.add(campaign)
        db.session.flush()
        promoter = links.create_promoter(db.session)
        device, _ = links.get_or_create_share(
            db.session, campaign=campaign, promoter=promoter, channel="device", parent_id=None
        )
        db.session.add_all(
            [
                ClickDay(
                    share_id=device.id,
                    day=DAY,
                    campaign_id=campaign.id,
                    channel="device",
                    **_counts(3),
                ),  # fmt: skip
                ClickChannelDay(campaign_id=campaign.id, channel="link", day=DAY, **_counts(2)),
                ClickChannelDay(campaign_id=campaign.id, channel="device", day=DAY, **_counts(3)),
                ClickChannelDay(
                    campaign_id=campaign.id, channel="device", day=OTHER_DAY, **_counts(4)
                ),
            ]
        )
        db.session.commit()
        share_id = device.id
        db.session.remove()

        downgrade(revision="0012")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT channel FROM shares")) == "link"
            assert conn.scalar(sa.text("SELECT channel FROM click_days")) == "link"
            rows = conn.execute(
                sa.text("SELECT channel, day, clicks, unique_clicks FROM click_channel_days")
            ).all()
        # The device's clicks added to the link's row of that day, or become that row.
        assert sorted((c, str(d)[:10], n, u) for c, d, n, u in rows) == [
            ("link", "2026-11-30", 5, 5),
            ("link", "2026-12-01", 4, 4),
        ]
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE shares SET channel = 'device'"))

        upgrade()
        db.session.execute(sa.update(Share).values(channel="device"))
        db.session.commit()
        assert db.session.get(Share, share_id).channel == "device"
        db.session.remove()
