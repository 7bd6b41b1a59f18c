"""The published per-share figures: what the API, the report and the embed box show.

Computing estimates reads every share and credit of every campaign (the pool), which takes
about a second at scale, so each worker keeps the last figures per campaign and hour in a
bounded memo, with a fingerprint of the data they were computed from (`data_version`). When
the data has changed (a new share, pledge or campaign setting) the figures are computed again,
but at most once per SHARE_VALUE_REFRESH_SECONDS per campaign and worker: a busy campaign,
where every minute brings shares, must not pay a full computation on every page view. Nothing
is shared between workers or kept outside the process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..models import Campaign, Pledge, Share, utcnow
from ..money import display_whole, to_major
from ..services import services
from .service import ChannelEstimate, channel_estimates
from .share_value import Estimate

MEMO_SIZE = 256  # campaigns per worker; each entry is a few hundred bytes
# The box hides an amount whose 90% interval spans more than this factor (high / low).
MAX_SPREAD = 10.0

_lock = threading.Lock()


@dataclass(frozen=True)
class Figures:
    """A campaign's estimates per channel as of one hour."""

    as_of: dt.datetime
    channels: dict[str, ChannelEstimate]


def shows_amount(estimate: Estimate, currency: str) -> bool:
    """Whether the box may show the amount: one that rests on something and means something.

    Hidden: no shares of its own on the channel (basis `prior`), an estimate below one whole
    unit of the currency (it would read `£0`), or an interval too wide to mean anything: its
    upper end more than MAX_SPREAD times its lower end (a lower end of zero included).
    """
    if estimate.basis == "prior" or to_major(estimate.estimate_minor, currency) < 1:
        return False
    return estimate.low_minor > 0 and estimate.high_minor <= MAX_SPREAD * estimate.low_minor


def as_of(now: dt.datetime | None = None) -> dt.datetime:
    """The hour figures are computed for: share ages count from its start."""
    return (now or utcnow()).replace(minute=0, second=0, microsecond=0)


def data_version(session: Session) -> tuple:
    """A cheap fingerprint of everything the estimates read (all campaigns: the pool).

    Shares are only ever added (the newest id says it). Credits are rewritten only with their
    pledge, which then gets a new `updated_at`, or when a campaign's window changes; the model
    picks which stored credits count. So no credit row needs reading: at scale this stays a
    few milliseconds, where counting and summing the credits took a hundred.
    """
    newest_share = session.scalar(sa.select(sa.func.max(Share.id)))
    pledges = session.execute(
        sa.select(sa.func.count(), sa.func.max(Pledge.id), sa.func.max(Pledge.updated_at))
    ).one()
    campaigns = session.execute(
        sa.select(Campaign.id, Campaign.window_days, Campaign.attribution_model).order_by(
            Campaign.id
        )
    ).all()
    return (newest_share, tuple(pledges), tuple(map(tuple, campaigns)))


def current(session: Session, campaign: Campaign, now: dt.datetime | None = None) -> Figures:
    """The campaign's figures as of this hour, from this worker's memo when still fresh."""
    hour = as_of(now)
    key = (campaign.id, hour)
    version = data_version(session)
    refresh = float(current_app.config["SHARE_VALUE_REFRESH_SECONDS"])
    memo = services().share_values
    with _lock:
        entry = memo.get(key)
        if entry is not None and (entry[0] == version or time.monotonic() - entry[1] < refresh):
            memo.move_to_end(key)
            return entry[2]
    figures = Figures(hour, channel_estimates(session, campaign, now=hour))
    with _lock:
        memo[key] = (version, time.monotonic(), figures)
        memo.move_to_end(key)
        while len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
    return figures


def channel_json(item: ChannelEstimate, currency: str) -> dict:
    """One channel as the API gives it."""
    e = item.estimate
    return {
        "channel": item.channel,
        "estimate_minor": e.estimate_minor,
        "low_minor": e.low_minor,
        "high_minor": e.high_minor,
        "level": e.level,
        "shares": e.shares,
        "basis": e.basis,
        "estimate_with_cascade_minor": item.with_cascade_minor,
        "display": display_whole(e.estimate_minor, currency),
    }
