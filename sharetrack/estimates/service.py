"""Feeding the estimator: every share's age and credits, read once across all campaigns.

Credits are read under each campaign's own attribution model (pledge_credits holds every
model; live pledges only). The pool behind small campaigns is the other campaigns' shares.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..attribution.cascades import MAX_CASCADE_DEPTH
from ..channels import CHANNELS
from ..metrics import SHARE_VALUE_SECONDS
from ..models import Campaign, Share, utcnow
from ..pledges import counting
from . import refless, share_value, timing_basis
from .share_value import Estimate, ShareHistory

DAY = 86400.0


@dataclass(frozen=True)
class ChannelEstimate:
    """The estimate for one channel: direct credit, and the figure including cascades."""

    channel: str
    estimate: Estimate
    with_cascade_minor: int


def histories(
    session: Session, now: dt.datetime | None = None, *, cascade: bool = False
) -> list[ShareHistory]:
    """Every share's history; with `cascade`, a share also earns its descendants' credit."""
    return _histories(_read(session), now or utcnow(), cascade)


def _read(session: Session) -> tuple[dict, dict, list]:
    """Campaigns, shares and credits (under each campaign's model), as plain tuples."""
    campaigns = {
        cid: (slug, window)
        for cid, slug, window in session.execute(
            sa.select(Campaign.id, Campaign.slug, Campaign.window_days)
        )
    }
    shares = {
        sid: (cid, channel, created, parent)
        for sid, cid, channel, created, parent in session.execute(
            sa.select(Share.id, Share.campaign_id, Share.channel, Share.created_at, Share.parent_id)
        )
    }
    rows = session.execute(counting.credits_under_campaign_models()).all()
    return campaigns, shares, rows


def _histories(data: tuple[dict, dict, list], now: dt.datetime, cascade: bool):
    return _with_credits(data, _ages(data, now), cascade)


def _ages(data: tuple[dict, dict, list], now: dt.datetime) -> list[tuple]:
    """(share id, campaign slug, channel, age in days, window) of every share."""
    campaigns, shares, _rows = data
    out = []
    for sid, (cid, channel, created, _parent) in shares.items():
        slug, window = campaigns[cid]
        out.append((sid, slug, channel, max((now - created).total_seconds() / DAY, 0.0), window))
    return out


def _with_credits(data: tuple[dict, dict, list], ages: list[tuple], cascade: bool):
    _campaigns, shares, rows = data
    # A pledge split among shares by a multi-touch model is one event: each credit carries
    # its fraction of the pledge (the estimate counts the pledge once, share_value._events).
    whole: dict[int, float] = defaultdict(float)
    for _share, _at, amount, pledge_id in rows:
        whole[pledge_id] += float(amount)
    credits: dict[int, list[tuple[float, ...]]] = defaultdict(list)
    for share_id, pledged_at, amount, pledge_id in rows:
        fraction = float(amount) / whole[pledge_id]
        for earner in _earners(shares, share_id, cascade):
            created = shares[earner][2]
            delay = max((pledged_at - created).total_seconds() / DAY, 0.0)
            if fraction >= 1.0:
                credits[earner].append((delay, float(amount)))
            else:
                credits[earner].append((delay, float(amount), fraction))
    return [
        ShareHistory(slug, channel, age, window, tuple(credits[sid]) if sid in credits else ())
        for sid, slug, channel, age, window in ages
    ]


def _earners(shares: dict, share_id: int, cascade: bool) -> list[int]:
    """The share itself, and with cascades every ancestor up the chain (cycle-safe)."""
    if share_id not in shares:
        return []
    out = [share_id]
    if cascade:
        parent = shares[share_id][3]
        while parent is not None and parent in shares and len(out) <= MAX_CASCADE_DEPTH:
            if parent in out:
                break
            out.append(parent)
            parent = shares[parent][3]
    return out


@SHARE_VALUE_SECONDS.time()
def channel_estimates(
    session: Session, campaign: Campaign, now: dt.datetime | None = None
) -> dict[str, ChannelEstimate]:
    """Every channel's estimate for `campaign`, in CHANNELS order."""
    now = now or utcnow()
    data = _read(session)  # once for both: the reads are most of the time at scale
    ages = _ages(data, now)
    direct = share_value.estimate_all(_with_credits(data, ages, False), CHANNELS, campaign.slug)
    direct = _on_timing(session, campaign, direct)
    with_cascade = share_value.estimate_all(
        _with_credits(data, ages, True), CHANNELS, campaign.slug
    )
    return {
        channel: ChannelEstimate(
            channel,
            direct[channel],
            max(with_cascade[channel].estimate_minor, 0)
            if direct[channel].basis != "timing"
            else max(with_cascade[channel].estimate_minor, direct[channel].estimate_minor),
        )
        for channel in CHANNELS
    }


def _on_timing(
    session: Session, campaign: Campaign, direct: dict[str, Estimate]
) -> dict[str, Estimate]:
    """Where the campaign's refs are too few (timing_basis.py), its channels' values rest on
    the timing of its ref-less pledges; the timing model is run only then (and cached)."""
    information = timing_basis.ref_information(direct.values())
    if information >= timing_basis.MIN_REF_INFORMATION:
        return direct
    by_timing = refless.figures(session, campaign)
    if not timing_basis.rests_on_timing(information, by_timing.without_ref_pledges):
        return direct
    out = dict(direct)
    for channel, money in by_timing.channels.items():
        found = timing_basis.on_timing(out[channel], money) if channel in out else None
        if found is not None:
            out[channel] = found
    return out
