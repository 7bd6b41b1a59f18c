"""Pledges without a ref, read from the database for the timing model (estimates/timing.py).

What the report says of them, and what a campaign's share values rest on when its refs are too
few (service.py, basis "timing").

Reads the campaign's human clicks per channel and hour (folded days from click_channel_days,
spread evenly over their 24 hours; later days from raw clicks, as reports/queries.py reads
them), its counted pledges with and without a ref, and the delays of ref-carrying pledges
(the campaign's own, else every campaign's, else the model's written prior). Never added to
exact credit: the report shows the two side by side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import cache, page_cache
from ..dialects import date_of
from ..models import Campaign, Click, ClickChannelDay, Pledge, PledgeTouch, Share
from ..periods import ALL_TIME, Period, day_of
from ..pledges import counting
from ..tracking import rollup
from . import timing

HOUR = dt.timedelta(hours=1)
MAX_HOURS = 2 * 366 * 24  # the last two years of a campaign's clicks and pledges at most
MAX_DELAYS = 5000  # ref-carrying pledges read to learn the delay, newest first
CACHE_SECONDS = 24 * 3600  # entries are named by their inputs: never stale, only unused


@dataclass
class TimingFigures:
    """Ref-less money per channel (expected, low, high) and the totals the report shows."""

    channels: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    without_ref_minor: int = 0
    without_ref_pledges: int = 0
    baseline_minor: int = 0
    kernel_source: str = "none"  # "campaign", "organisation", "prior", or "none" (no model run)

    def row(self, channel: str) -> dict:
        expected, low, high = self.channels.get(channel, (0, 0, 0))
        return {"timing_minor": expected, "timing_low_minor": low, "timing_high_minor": high}


def _refless(session: Session, campaign_id: int) -> list[tuple[dt.datetime, int]]:
    """(pledged_at, amount) of counted pledges that carry no ref, oldest first."""
    touched = sa.exists().where(PledgeTouch.pledge_id == Pledge.id)
    rows = session.execute(
        counting.counted_pledges(campaign_id)
        .with_only_columns(Pledge.pledged_at, Pledge.amount_minor)
        .where(~touched)
        .order_by(Pledge.pledged_at)
    )
    return [(at, amount) for at, amount in rows]


def _delays(session: Session, campaign_id: int | None) -> list[float]:
    """Hours from the last arrival through a ref to the pledge, per counted pledge with refs."""
    query = (
        counting.counted_pledges(campaign_id)
        .with_only_columns(Pledge.id, Pledge.pledged_at, sa.func.max(PledgeTouch.at))
        .join(PledgeTouch, PledgeTouch.pledge_id == Pledge.id)
        .where(PledgeTouch.at.is_not(None), PledgeTouch.at <= Pledge.pledged_at)
        .group_by(Pledge.id, Pledge.pledged_at)
        .order_by(Pledge.pledged_at.desc())
        .limit(MAX_DELAYS)
    )
    return [(pledged - arrived) / HOUR for _, pledged, arrived in session.execute(query)]


def _kernel(session: Session, campaign_id: int) -> tuple[timing.Kernel, str]:
    kernel, source = timing.learn_kernel(_delays(session, campaign_id))
    if source == "learned":
        return kernel, "campaign"
    kernel, source = timing.learn_kernel(_delays(session, None))
    return kernel, "organisation" if source == "learned" else "prior"


def _clicks(session: Session, campaign_id: int, start: dt.datetime, hours: int):
    """(channels, channels × hours of human clicks) from `start` on the hourly grid."""
    folded = rollup.watermark(session)
    grid: dict[str, np.ndarray] = {}

    def add(channel: str, hour: int, count: float, span: int = 1) -> None:
        row = grid.setdefault(channel, np.zeros(hours))
        lo, hi = max(hour, 0), min(hour + span, hours)
        if hi > lo:
            row[lo:hi] += count / span

    if folded is not None:
        days = session.execute(
            sa.select(ClickChannelDay.channel, ClickChannelDay.day, ClickChannelDay.clicks).where(
                ClickChannelDay.campaign_id == campaign_id, ClickChannelDay.day < folded
            )
        )
        for channel, day, n in days:
            add(channel, int((dt.datetime.combine(day, dt.time()) - start) / HOUR), n, 24)
    # Counted by channel and hour in the database: a big campaign's million click rows never
    # cross to Python (they took most of the report's first load).
    day, hour = date_of(Click.at), sa.extract("hour", Click.at)
    raw = (
        sa.select(Share.channel, day, hour, sa.func.count())
        .join(Share, Share.id == Click.share_id)
        .where(Share.campaign_id == campaign_id, Click.is_bot.is_(False), Click.at >= start)
        .group_by(Share.channel, day, hour)
    )
    if folded is not None:
        raw = raw.where(Click.at >= dt.datetime.combine(folded, dt.time()))
    first = dt.datetime.combine(start.date(), dt.time())
    offset = int((start - first) / HOUR)
    for channel, on, at_hour, n in session.execute(raw):
        add(channel, (day_of(on) - first.date()).days * 24 + int(at_hour) - offset, n)
    channels = sorted(grid)
    matrix = np.vstack([grid[c] for c in channels]) if channels else np.zeros((0, hours))
    return channels, matrix


def figures(session: Session, campaign: Campaign, within: Period = ALL_TIME) -> TimingFigures:
    """The timing estimate of the campaign's ref-less pledges made in `within`.

    Reading a big campaign's clicks and fitting the model take seconds (benchmarks/
    report_timing.py), so the figures are kept in the cache every worker shares (cache.py),
    named by a fingerprint of the data they come from, as the share value's are
    (estimates/figures.py): reloading the report, its CSV or the API reads a few maxima and
    the stored figures, and any pledge's change names new ones.
    """
    # The database's name too: apps on different databases may share one cache.
    key = (
        f"timing/{page_cache.namespace()}/{campaign.id}/{fingerprint(session, campaign.id, within)}"
    )
    body = cache.get_or_make(
        key, lambda: _encode(compute(session, campaign, within)), CACHE_SECONDS
    )
    return _decode(body)


def fingerprint(session: Session, campaign_id: int, within: Period) -> str:
    """A cheap fingerprint of what the figures read. Verified pledges (every campaign's: the
    delay may be learned from the organisation's) change their count, newest id or newest
    `updated_at` when added, refunded, confirmed or given a ref (a form's unconfirmed pledge
    counts nowhere, so it makes no new entry); the campaign's shares only grow; folding clicks
    into days moves the watermark. Clicks after the last ref-less pledge change no figure (the
    grid ends there); clicks imported into the past, with no pledge, are read once the entry
    expires."""
    newest = (sa.func.count(), sa.func.max(Pledge.id), sa.func.max(Pledge.updated_at))
    pledges = session.execute(sa.select(*newest).where(Pledge.verified)).one()
    shares = session.execute(
        sa.select(sa.func.count(), sa.func.max(Share.id)).where(Share.campaign_id == campaign_id)
    ).one()
    version = (timing.MODEL_VERSION, campaign_id, within.since, within.until, tuple(pledges),
               tuple(shares), rollup.watermark(session))  # fmt: skip
    return hashlib.sha256(repr(version).encode()).hexdigest()


def compute(session: Session, campaign: Campaign, within: Period = ALL_TIME) -> TimingFigures:
    """The figures from the database, fitted afresh (figures() keeps them)."""
    pledges = _refless(session, campaign.id)
    inside = [p for p in pledges if all(c for c in _inside(p[0], within))]
    out = TimingFigures(
        without_ref_minor=sum(a for _, a in inside), without_ref_pledges=len(inside)
    )
    if not inside:
        return out
    end = pledges[-1][0] + HOUR
    start = max(_first_activity(session, campaign.id, pledges[0][0]), end - MAX_HOURS * HOUR)
    start = start.replace(minute=0, second=0, microsecond=0)
    hours = int((end - start) / HOUR) + 1
    channels, clicks = _clicks(session, campaign.id, start, hours)
    kept = [(at, a) for at, a in pledges if at >= start]
    at = np.array([int((t - start) / HOUR) for t, _ in kept], dtype=int)
    amounts = np.array([a for _, a in kept], dtype=np.int64)
    mask = np.array([all(c for c in _inside(t, within)) for t, _ in kept], dtype=bool)
    kernel, out.kernel_source = _kernel(session, campaign.id)
    credit = timing.attribute(channels, clicks, at, kernel, amounts, mask, seed=campaign.id)
    money = credit.money()
    out.baseline_minor = money.pop(None)[0]
    out.channels = {channel: tuple(v) for channel, v in money.items()}
    return out


def _encode(figures: TimingFigures) -> bytes:
    return json.dumps(dataclasses.asdict(figures)).encode()


def _decode(body: bytes) -> TimingFigures:
    data = json.loads(body)
    data["channels"] = {channel: tuple(v) for channel, v in data["channels"].items()}
    return TimingFigures(**data)


def _inside(moment: dt.datetime, within: Period) -> list[bool]:
    return [
        within.since is None or moment >= within.since,
        within.until is None or moment < within.until,
    ]


def _first_activity(session: Session, campaign_id: int, first_pledge: dt.datetime):
    """The earliest click day or pledge of the campaign: where the hourly grid starts."""
    first_day = session.scalar(
        sa.select(sa.func.min(ClickChannelDay.day)).where(
            ClickChannelDay.campaign_id == campaign_id
        )
    )
    first_click = session.scalar(
        sa.select(sa.func.min(Click.at))
        .join(Share, Share.id == Click.share_id)
        .where(Share.campaign_id == campaign_id)
    )
    candidates = [first_pledge, first_click]
    if first_day is not None:
        candidates.append(dt.datetime.combine(day_of(first_day), dt.time()))
    return min(c for c in candidates if c is not None)
