"""The campaign report: totals, channels, top promoters and days, under one model."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..attribution.cascades import cascade_factor
from ..estimates import figures, refless
from ..models import Campaign
from ..money import divide_half_up
from ..periods import Period
from ..pledges import counting
from ..pledges.counting import Credited
from . import credits, queries
from .queries import Counts

TOP_PROMOTERS = 50
TABLES = ("channels", "promoters", "daily")


def ratio_minor(amount_minor: int, count: int) -> int:
    """amount / count rounded half up to a whole minor unit; 0 when there is nothing to divide."""
    return divide_half_up(amount_minor, count) if count else 0


def period(since: dt.date | None, until: dt.date | None) -> Period:
    """The period of whole UTC days from `since` to `until`, both included."""
    return Period(
        since=dt.datetime.combine(since, dt.time()) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time()) if until else None,
    )


def build(session: Session, campaign: Campaign, model: str, within: Period) -> dict:
    """The report as the API returns it."""
    cid = campaign.id
    raised = counting.pledge_totals(session, cid, within)
    unconfirmed = counting.pledge_totals(session, cid, within, unconfirmed=True)
    attributed = credits.credit_totals(session, cid, model, within)
    by_day = queries.clicks_by(session, cid, "day", within)
    clicks = Counts(
        sum(c.clicks for c in by_day.values()),
        sum(c.unique_clicks for c in by_day.values()),
        sum(c.bot_clicks for c in by_day.values()),
    )
    shares_by_channel = queries.share_counts(session, cid, "channel", within)
    by_timing = refless.figures(session, campaign, within)
    return {
        "campaign": campaign.slug,
        "currency": campaign.currency,
        "model": model,
        "totals": {
            "raised_minor": raised.amount_minor,
            "attributed_minor": attributed.amount_minor,
            "pledges": raised.pledges,
            "attributed_pledges": attributed.pledges,
            "unconfirmed_minor": unconfirmed.amount_minor,
            "unconfirmed_pledges": unconfirmed.pledges,
            "shares": sum(shares_by_channel.values()),
            "clicks": clicks.clicks,
            "unique_clicks": clicks.unique_clicks,
            "bot_clicks": clicks.bot_clicks,
            "without_ref_minor": by_timing.without_ref_minor,
            "without_ref_pledges": by_timing.without_ref_pledges,
            "baseline_minor": by_timing.baseline_minor,
        },
        "channels": with_timing(
            with_estimates(
                channel_rows(session, cid, model, within, shares_by_channel),
                figures.current(session, campaign),
                campaign.currency,
            ),
            by_timing,
        ),
        "promoters": promoter_rows(session, cid, model, within),
        "daily": daily_rows(session, cid, model, within, by_day),
    }


def channel_rows(
    session: Session, cid: int, model: str, within: Period, shares: dict | None = None
) -> list[dict]:
    """One row per channel with shares, clicks or credit, the best earning first."""
    shares = shares if shares is not None else queries.share_counts(session, cid, "channel", within)
    clicks = queries.clicks_by(session, cid, "channel", within)
    money = credits.credits_by(session, cid, model, "channel", within)
    indirect = credits.indirect_by_channel(session, cid, model, within)
    children = queries.child_counts_by_channel(session, cid, within)
    rows = []
    for channel in set(shares) | set(clicks) | set(money):
        n, c, m = (
            shares.get(channel, 0),
            clicks.get(channel, Counts()),
            money.get(channel, Credited()),
        )
        rows.append(
            {
                "channel": channel,
                "shares": n,
                "clicks": c.clicks,
                "unique_clicks": c.unique_clicks,
                "pledges": m.pledges,
                "attributed_minor": m.amount_minor,
                "indirect_minor": indirect.get(channel, 0),
                "per_share_minor": ratio_minor(m.amount_minor, n),
                "per_click_minor": ratio_minor(m.amount_minor, c.clicks),
                "cascade_factor": cascade_factor(children.get(channel, 0), n),
            }
        )
    rows.sort(key=lambda r: (-r["attributed_minor"], -r["clicks"], r["channel"]))
    return rows


def with_estimates(rows: list[dict], current: figures.Figures, currency: str) -> list[dict]:
    """Each channel row with what one more share on it is worth (the share-value figures,
    under the campaign's own model and for all time, whatever the report's model and period)."""
    for row in rows:
        e = current.channels[row["channel"]].estimate
        row |= {
            "estimate_minor": e.estimate_minor,
            "low_minor": e.low_minor,
            "high_minor": e.high_minor,
            "basis": e.basis,
            "shows_amount": figures.shows_amount(e, currency),
            "reason": figures.hidden_reason(e, currency),
        }
    return rows


def with_timing(rows: list[dict], by_timing: refless.TimingFigures) -> list[dict]:
    """Each channel row with the money of ref-less pledges its clicks' timing suggests: an
    estimate with its 80% interval, shown beside exact credit and never added to it."""
    for row in rows:
        row |= by_timing.row(row["channel"])
    return rows


def promoter_rows(session: Session, cid: int, model: str, within: Period) -> list[dict]:
    """The top promoters by credited money (then by clicks when fewer have any credit)."""
    # Shares without a promoter (some leaflet batches) are left out.
    money = credits.credits_by(session, cid, model, "promoter_id", within, top=TOP_PROMOTERS)
    ranked = sorted(money, key=lambda pid: (-money[pid].amount_minor, pid))[:TOP_PROMOTERS]
    if len(ranked) < TOP_PROMOTERS:
        extra = queries.top_promoters_by_clicks(session, cid, TOP_PROMOTERS, within)
        ranked += [pid for pid in extra if pid not in money][: TOP_PROMOTERS - len(ranked)]
    if not ranked:
        return []
    clicks = queries.clicks_by(session, cid, "promoter_id", within, promoter_ids=ranked)
    shares = queries.share_counts(session, cid, "promoter_id", within, promoter_ids=ranked)
    names = queries.promoters(session, ranked)
    rows = []
    for pid in ranked:
        m, c = money.get(pid, Credited()), clicks.get(pid, Counts())
        code, display_name = names[pid]
        rows.append(
            {
                "promoter": code,
                "display_name": display_name,
                "shares": shares.get(pid, 0),
                "clicks": c.clicks,
                "pledges": m.pledges,
                "attributed_minor": m.amount_minor,
            }
        )
    rows.sort(key=lambda r: (-r["attributed_minor"], -r["clicks"], r["promoter"]))
    return rows


def daily_rows(
    session: Session, cid: int, model: str, within: Period, clicks: dict | None = None
) -> list[dict]:
    """One row per UTC day with clicks or pledges, oldest first."""
    clicks = clicks if clicks is not None else queries.clicks_by(session, cid, "day", within)
    pledges = counting.pledges_by_day(session, cid, within)
    money = credits.credits_by(session, cid, model, "day", within)
    rows = []
    for day in sorted(set(clicks) | set(pledges)):
        c = clicks.get(day, Counts())
        rows.append(
            {
                "date": day.isoformat(),
                "clicks": c.clicks,
                "unique_clicks": c.unique_clicks,
                "pledges": pledges.get(day, Credited()).pledges,
                "attributed_minor": money.get(day, Credited()).amount_minor,
            }
        )
    return rows


TABLE_ROWS = {"channels": channel_rows, "promoters": promoter_rows, "daily": daily_rows}


def table_rows(
    session: Session, campaign: Campaign, table: str, model: str, within: Period
) -> list[dict]:
    """One table's rows as the report has them (channels with their share-value figures)."""
    rows = TABLE_ROWS[table](session, campaign.id, model, within)
    if table != "channels":
        return rows
    rows = with_estimates(rows, figures.current(session, campaign), campaign.currency)
    return with_timing(rows, refless.figures(session, campaign, within))
