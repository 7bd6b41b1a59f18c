"""The published per-share figures: what the API, the report, the hosted page and the box show.

Computing estimates reads every share and credit of every campaign (the pool), so the last
figures of each campaign are kept in the database (`ShareValueFigures`), with the hour they are
as of and a fingerprint of the data they came from (`data_version`). Every worker answers from
that row, so all give the same figures (and ETag) at once. When the data has changed the
figures are computed again, but at most once per SHARE_VALUE_REFRESH_SECONDS per campaign
across all workers: a busy campaign must not pay a full computation on every page view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Campaign, Pledge, Share, ShareValueFigures, utcnow
from ..money import display_whole, to_major
from .service import ChannelEstimate, channel_estimates
from .share_value import Estimate

# A figure is hidden when its 90% interval spans more than this factor (high / low).
MAX_SPREAD = 10.0
REASONS = ("no_shares", "too_new", "rests_on_timing", "below_one_unit", "interval_too_wide")
# A figure needs its campaign's shares on the channel to have had, together, at least this much
# of a matured share's time to earn (their exposure): a share made ten minutes ago says nothing.
MIN_OWN_EXPOSURE = 1.0
# Part of every stored body: figures stored by another version of the model are recomputed.
MODEL_VERSION = 2
# A figure is a headline ("could raise £X" beside a button) only when it rests on the
# campaign's own data and on at least this many of its shares on the channel.
MIN_HEADLINE_SHARES = 5
# How the staff report words what each figure rests on (Estimate.basis).
BASIS_TEXT = {
    "campaign": "from its own shares",
    "pooled": "leans on other campaigns",
    "prior": "from other channels",
    "timing": "from timing: few refs",
}
# How the staff report words each reason beside a greyed figure.
REASON_TEXT = {
    "no_shares": "no shares of its own yet",
    "too_new": "shares too new to say",
    "rests_on_timing": "from timing, a model's guess",
    "below_one_unit": "less than one whole unit",
    "interval_too_wide": "interval too wide to say",
}


@dataclass(frozen=True)
class Figures:
    """A campaign's estimates per channel as of one hour."""

    as_of: dt.datetime
    channels: dict[str, ChannelEstimate]


def hidden_reason(estimate: Estimate, currency: str) -> str | None:
    """Why an amount must not be shown (one of REASONS), or None when it may be.

    `no_shares`: the campaign has no share of its own on the channel, so the figure is only
    what others earn; `too_new`: its shares together have had less than MIN_OWN_EXPOSURE of a
    matured share's time to earn (information, not a count of shares: a thousand shares an
    hour old say little); `rests_on_timing`: its basis is "timing", the model's split of
    ref-less money by when channels were clicked, which clicks (anyone's) move and no pledge
    names, so it is for staff only; `below_one_unit`: it would read `£0`;
    `interval_too_wide`: the 90% interval's upper end is more than MAX_SPREAD times its lower
    end (a lower end of 0 too).
    """
    if estimate.shares == 0:
        return "no_shares"
    if estimate.exposure < MIN_OWN_EXPOSURE:
        return "too_new"
    if estimate.basis == "timing":
        return "rests_on_timing"
    if to_major(estimate.estimate_minor, currency) < 1:
        return "below_one_unit"
    if estimate.low_minor <= 0 or estimate.high_minor > MAX_SPREAD * estimate.low_minor:
        return "interval_too_wide"
    return None


def shows_amount(estimate: Estimate, currency: str) -> bool:
    """Whether a figure rests on something and means something: the one rule for every page."""
    return hidden_reason(estimate, currency) is None


def display(estimate: Estimate, currency: str) -> str | None:
    """The amount as shown (`£26`), or None when it must not be shown."""
    return (
        display_whole(estimate.estimate_minor, currency)
        if shows_amount(estimate, currency)
        else None
    )


def well_founded(estimate: Estimate, currency: str) -> bool:
    """Whether a shown figure may be a public headline: the campaign's own basis, enough shares.

    A pooled or prior figure, or one from a share or two, says little about this campaign
    (one Telegram share is not a reason to put Telegram above Facebook); a figure resting on
    the timing of ref-less pledges (basis "timing") is a model's guess, never a headline.
    """
    return (
        shows_amount(estimate, currency)
        and estimate.basis == "campaign"
        and estimate.shares >= MIN_HEADLINE_SHARES
    )


def headline(estimate: Estimate, currency: str) -> str | None:
    """The amount a public page may put in a headline (`£166`: whole units), or None."""
    return (
        display_whole(estimate.estimate_minor, currency)
        if well_founded(estimate, currency)
        else None
    )


def ranked(estimates: dict[str, Estimate], currency: str, channels: Sequence[str]) -> list[str]:
    """`channels` with well-founded figures first, largest first; the rest in their given order.

    Ties keep the given order (the registry's), so the ranking is stable between page views.
    """

    def key(item: tuple[int, str]) -> tuple[int, int, int]:
        position, channel = item
        estimate = estimates.get(channel)
        if estimate is not None and well_founded(estimate, currency):
            return (0, -estimate.estimate_minor, position)
        return (1, 0, position)

    return [channel for _, channel in sorted(enumerate(channels), key=key)]


def as_of(now: dt.datetime | None = None) -> dt.datetime:
    """The hour figures are computed for: share ages count from its start."""
    return (now or utcnow()).replace(minute=0, second=0, microsecond=0)


def data_version(session: Session) -> tuple:
    """A cheap fingerprint of everything the estimates read (all campaigns: the pool).

    Shares are only ever added (the newest id says it). Credits are rewritten only with their
    pledge, which then gets a new `updated_at`, or when a campaign's window changes; the model
    picks which stored credits count. So no credit row needs reading.
    """
    newest_share = session.scalar(sa.select(sa.func.max(Share.id)))
    # Verified pledges only: an anonymous form pledge carries no credit, so it changes no
    # figure and must not make every worker recompute (confirming one changes updated_at).
    pledges = session.execute(
        sa.select(sa.func.count(), sa.func.max(Pledge.id), sa.func.max(Pledge.updated_at)).where(
            Pledge.verified
        )
    ).one()
    campaigns = session.execute(
        sa.select(Campaign.id, Campaign.window_days, Campaign.attribution_model).order_by(
            Campaign.id
        )
    ).all()
    return (newest_share, tuple(pledges), tuple(map(tuple, campaigns)))


def fingerprint(session: Session) -> str:
    """data_version as 64 hex characters, the form the shared row keeps."""
    return hashlib.sha256(repr(data_version(session)).encode()).hexdigest()


def current(session: Session, campaign: Campaign, now: dt.datetime | None = None) -> Figures:
    """The campaign's figures as of this hour: the shared row's when still fresh."""
    hour = as_of(now)
    version = fingerprint(session)
    refresh = dt.timedelta(seconds=float(current_app.config["SHARE_VALUE_REFRESH_SECONDS"]))
    seen = _stored(campaign.id)
    stored = _decode(seen.body) if seen is not None and seen.as_of == hour else None
    if stored is not None:
        if seen.fingerprint == version or utcnow() - seen.computed_at < refresh:
            return stored
    figures = Figures(hour, channel_estimates(session, campaign, now=hour))
    if _store(campaign.id, hour, version, _encode(figures), seen):
        return figures
    # Another worker wrote meanwhile: answer what it wrote, as every other worker will.
    replaced = _stored(campaign.id)
    found = _decode(replaced.body) if replaced is not None else None
    return found or figures


def _stored(campaign_id: int):
    """The shared row, read on its own connection: the request's snapshot may predate it."""
    with db.engine.connect() as conn:
        return conn.execute(
            sa.select(
                ShareValueFigures.as_of,
                ShareValueFigures.fingerprint,
                ShareValueFigures.computed_at,
                ShareValueFigures.body,
            ).where(ShareValueFigures.campaign_id == campaign_id)
        ).one_or_none()


def _store(campaign_id: int, hour: dt.datetime, version: str, body: str, seen) -> bool:
    """Write the figures unless another worker replaced the row since `seen`; True if written.

    Its own short transaction, so a GET never commits the request's session.
    """
    table = ShareValueFigures.__table__
    values = {"as_of": hour, "fingerprint": version, "computed_at": utcnow(), "body": body}
    try:
        with db.engine.begin() as conn:
            if seen is None:
                conn.execute(sa.insert(table).values(campaign_id=campaign_id, **values))
                return True
            done = conn.execute(
                sa.update(table)
                .where(
                    table.c.campaign_id == campaign_id,
                    table.c.computed_at == seen.computed_at,
                    table.c.fingerprint == seen.fingerprint,
                )
                .values(**values)
            )
            return done.rowcount == 1
    except IntegrityError:  # inserted by another worker first
        return False


def _encode(figures: Figures) -> str:
    channels = [
        {"channel": c.channel, "with_cascade_minor": c.with_cascade_minor}
        | dataclasses.asdict(c.estimate)
        for c in figures.channels.values()
    ]
    body = {"version": MODEL_VERSION, "as_of": figures.as_of.isoformat(), "channels": channels}
    return json.dumps(body)


def _decode(body: str) -> Figures | None:
    """The stored figures, or None when another version of the model stored them."""
    data = json.loads(body)
    if data.get("version", 1) != MODEL_VERSION:
        return None
    channels = {}
    for item in data["channels"]:
        channel, cascade = item.pop("channel"), item.pop("with_cascade_minor")
        channels[channel] = ChannelEstimate(channel, Estimate(**item), cascade)
    return Figures(dt.datetime.fromisoformat(data["as_of"]), channels)
