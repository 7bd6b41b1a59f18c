"""A forecast of a campaign's total at its end, with an 80% interval (see docs/estimate.md).

Model: a campaign makes a share G(u) of its pledges by the fraction u of its life. Candidate
shapes (mixtures of a steady pace, a front-loaded fade and an end surge, plus the organisation's
ended campaigns' curves) are weighed by the likelihood of the campaign's own daily counts so far
(negative binomial, recent days weighing more; pace.py). Monte Carlo draws pick a shape by that
weight, the pace from the recency-weighted counts, a drift of the pace still to come, and sizes
from a robust lognormal of the campaign's own; they give the interval and the chance of reaching
the target. Without `ends_at`, the next 30 days at the recent pace (a local level).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from ..campaigns.service import all_campaigns
from ..models import Campaign, utcnow
from ..pledges import counting
from . import pace

LEVEL = 0.8
DRAWS = 4000
GRID = pace.GRID
OPEN_ENDED_DAYS = 30
RECENT = 0.5  # a day weighs half as much as one RECENT × the campaign's age more recent
MIN_HALF_LIFE = 3.0  # days: never weigh the last few days alone
OPEN_HALF_LIFE = 14.0  # days: an open-ended campaign's local level
DRIFT = 0.7  # log-scale drift of the pace to come, per √(time to come / time gone)
MAX_DRIFT = 1.0
DAY = 86400.0


def cumulative_curve(days: Mapping[dt.date, int], start: dt.datetime, end: dt.datetime):
    """An ended campaign's share of its pledges made by each fraction of its life (or None).

    Counts, not money: the pace is of pledges (sizes are drawn apart), and one late large
    pledge would otherwise make a campaign look as if nothing came before its last day.
    """
    total = sum(amount for day, amount in days.items() if day <= end.date())
    if total <= 0:
        return None
    life = max((end - start).total_seconds() / 86400, 1.0)
    fractions = np.array([((day - start.date()).days + 1) / life for day in sorted(days)])
    amounts = np.cumsum([days[day] for day in sorted(days)]) / total
    curve = np.interp(GRID, fractions, amounts, left=0.0, right=1.0)
    return np.clip(curve, 0.0, 1.0)


@dataclass(frozen=True)
class Forecast:
    """What the campaign may have raised by `ends_at`, and its path there (for the chart)."""

    raised_minor: int
    target_minor: int
    ends_at: dt.datetime
    expected_minor: int
    low_minor: int
    high_minor: int
    probability_of_target: float
    expected_target_date: dt.date | None
    # (day, 10th percentile, median, 90th percentile) of the cumulative total, today to the end
    path: tuple[tuple[dt.date, int, int, int], ...] = ()
    history: tuple[tuple[dt.date, int], ...] = ()  # (day, cumulative total) so far


def forecast(
    days: Mapping[dt.date, tuple[int, int]],
    start: dt.datetime,
    end: dt.datetime | None,
    now: dt.datetime,
    target_minor: int,
    curves: Sequence[np.ndarray] = (),
    seed: str = "",
) -> Forecast:
    """The forecast from (pledges, amount) per day so far and other campaigns' curves."""
    open_ended = end is None
    end = end or now + dt.timedelta(days=OPEN_ENDED_DAYS)
    days = {d: v for d, v in days.items() if d <= min(now, end).date()}
    raised = sum(amount for _n, amount in days.values())
    count = sum(n for n, _amount in days.values())
    cumulative = tuple(_cumulative(days))
    reached = next((d for d, total in cumulative if target_minor and total >= target_minor), None)
    if count == 0:
        return Forecast(0, target_minor, end, 0, 0, 0, 0.0, None, (), cumulative)
    if end <= now:  # ended: nothing more to forecast
        hit = 1.0 if raised >= target_minor else 0.0
        return Forecast(raised, target_minor, end, raised, raised, raised, hit, reached, (),
                        cumulative)  # fmt: skip
    life = max((end - start).total_seconds(), 1.0)
    # At least a day counts as gone: a campaign's first hours say little about its pace.
    elapsed = min(max((now - start).total_seconds(), DAY), life)
    u_now = elapsed / life
    rng = np.random.default_rng(_seed(seed, str(start), str(end), str(count), str(raised)))
    counts, bounds, ages = _daily(days, start, elapsed, life)
    if open_ended:  # a local level: the recent pace, steady for the next 30 days
        fitted = pace.fit(counts, bounds, ages, OPEN_HALF_LIFE, shapes=GRID[None, :])
        drift = DRIFT
    else:
        half_life = max(RECENT * elapsed / DAY, MIN_HALF_LIFE)
        fitted = pace.fit(counts, bounds, ages, half_life, curves)
        drift = min(DRIFT * math.sqrt((1 - u_now) / u_now), MAX_DRIFT)
    picks = rng.choice(len(fitted.shapes), DRAWS, p=fitted.weights)
    g = fitted.shapes[picks]  # DRAWS × GRID
    g_now = np.minimum(pace.at(g, u_now)[:, 0], 1.0)
    level = rng.gamma(fitted.weighted_count + 0.5, 1.0, DRAWS) / fitted.exposure[picks]
    wander = np.exp(rng.normal(-(drift**2) / 2, drift, DRAWS))
    future_count = rng.poisson(np.maximum(level * (1 - g_now) * wander, 0.0))
    sizes = pace.sizes(*(np.array(column, float) for column in zip(*days.values(), strict=True)))
    future = sizes.future_sum(future_count, rng)
    totals = raised + future
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(totals, [tail, 1 - tail])
    path = _path(now, end, start, life, g, g_now, raised, future)
    expected_date = reached or _expected_date(path, target_minor)
    probability = 1.0 if reached else float(np.mean(totals >= target_minor))
    return Forecast(
        raised,
        target_minor,
        end,
        int(round(float(np.mean(totals)))),
        int(round(low)),
        int(round(high)),
        round(probability, 3),
        expected_date,
        path,
        cumulative,
    )


def _daily(days: Mapping[dt.date, tuple[int, int]], start, elapsed: float, life: float):
    """Every day from the start to now (days without pledges too): pledges, the day's
    (start, end) fraction of the life, and its age in days (from its middle)."""
    counts, bounds, ages = [], [], []
    day = start.date()
    while True:
        begin = max((dt.datetime.combine(day, dt.time()) - start).total_seconds(), 0.0)
        if begin >= elapsed:
            break
        finish = min((dt.datetime.combine(day, dt.time()) - start).total_seconds() + DAY,
                     elapsed)  # fmt: skip
        counts.append(days.get(day, (0, 0))[0])
        bounds.append((begin / life, finish / life))
        ages.append((elapsed - (begin + finish) / 2) / DAY)
        day += dt.timedelta(days=1)
    return np.asarray(counts, float), np.asarray(bounds), np.asarray(ages)


def _cumulative(days: Mapping[dt.date, tuple[int, int]]):
    total = 0
    for day in sorted(days):
        total += days[day][1]
        yield day, total


def _path(now, end, start, life, g, g_now, raised, future):
    """Percentiles of the cumulative total on each day from today to the end."""
    out = []
    remaining = np.maximum(1 - g_now, 1e-9)
    day = now.date()
    while True:
        moment = min(dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1), end)
        u = min(max((moment - start).total_seconds() / life, 0.0), 1.0)
        share = np.clip((pace.at(g, u)[:, 0] - g_now) / remaining, 0.0, 1.0)
        low, mid, high = np.quantile(raised + future * share, [0.1, 0.5, 0.9])
        out.append((day, int(low), int(mid), int(high)))
        if moment >= end:
            return tuple(out)
        day += dt.timedelta(days=1)


def _expected_date(path, target_minor: int) -> dt.date | None:
    """The first day whose median cumulative total reaches the target, if any does."""
    if target_minor <= 0:
        return None
    return next((day for day, _low, mid, _high in path if mid >= target_minor), None)


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def history_curves(session: Session, exclude: int | None, now: dt.datetime) -> list[np.ndarray]:
    """The cumulative curves of the organisation's ended campaigns (not `exclude`)."""
    curves = []
    for other in all_campaigns(session):
        if other.id == exclude or other.ends_at is None or other.ends_at > now:
            continue
        days = counting.pledges_by_day(session, other.id)
        curve = cumulative_curve(
            {d: m.pledges for d, m in days.items()}, other.opens_at, other.ends_at
        )
        if curve is not None:
            curves.append(curve)
    return curves


def campaign_forecast(
    session: Session, campaign: Campaign, now: dt.datetime | None = None
) -> Forecast:
    """The campaign's forecast from its pledges by day and the organisation's history.

    As of the start of the hour, as the share-value figures are: the same data gives the same
    forecast on the page and in the API for the hour.
    """
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    days = counting.pledges_by_day(session, campaign.id)
    return forecast(
        {d: (m.pledges, m.amount_minor) for d, m in days.items()},
        campaign.opens_at,
        campaign.ends_at,
        now,
        campaign.target_minor,
        history_curves(session, campaign.id, now),
        seed=campaign.slug,
    )
