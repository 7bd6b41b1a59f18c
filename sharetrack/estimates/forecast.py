"""A forecast of a campaign's total at its end, with an 80% interval (see docs/estimate.md).

Model: a campaign raises a share G(u) of its final total by the fraction u of its life. G is
learned from the organisation's ended campaigns (each one's cumulative share of its total),
blended with a default decaying pace while there are few. The pace so far gives the final
count of pledges (Gamma–Poisson), their sizes a heavy-tailed mean; Monte Carlo draws over the
pace, the sizes and a curve drawn from the history give the interval and the chance of
reaching the target. Without `ends_at` the campaign is taken to run 30 more days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from ..campaigns.service import all_campaigns
from ..models import Campaign, utcnow
from ..pledges import counting

LEVEL = 0.8
DRAWS = 4000
GRID = np.linspace(0.0, 1.0, 41)
OPEN_ENDED_DAYS = 30
DEFAULT_DECAY = 3.0  # the default pace falls by e^-3 over a campaign's life: most comes early
PRIOR_CAMPAIGNS = 3.0  # how many ended campaigns weigh as much as the default curve
SIZE_CV = 1.5  # pledge sizes vary this much (coefficient of variation) within a campaign
MIN_SHARE_SO_FAR = 0.02  # never assume less than this share of the pledges has come
CURVE_JITTER = 0.25  # how far a campaign's pace may stray from the default curve (log scale)


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
    elapsed = max((now - start).total_seconds(), 86400.0)
    u_now = min(elapsed / life, 1.0)
    rng = np.random.default_rng(_seed(seed, str(start), str(end), str(count), str(raised)))
    g = _draw_curves(curves, rng)  # DRAWS × GRID
    g_now = np.maximum(_at(g, u_now), MIN_SHARE_SO_FAR)
    # Pace: the final count of pledges over the whole life, then what is still to come.
    pace = rng.gamma(count + 0.5, 1.0, DRAWS) / g_now
    future_count = rng.poisson(np.maximum(pace * (1 - g_now), 0.0))
    mean_size = raised / count
    size_draw = mean_size * rng.gamma(count / SIZE_CV**2, SIZE_CV**2 / count, DRAWS)
    spread = np.sqrt(np.maximum(future_count, 1)) / SIZE_CV
    future = future_count * size_draw * rng.gamma(spread**2, 1 / spread**2, DRAWS)
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


def _cumulative(days: Mapping[dt.date, tuple[int, int]]):
    total = 0
    for day in sorted(days):
        total += days[day][1]
        yield day, total


def _draw_curves(curves: Sequence[np.ndarray], rng) -> np.ndarray:
    """DRAWS curves: another campaign's (as often as history outweighs the default) or the
    default with a random decay, so the pace's shape is as uncertain as campaigns differ."""
    decays = DEFAULT_DECAY * np.exp(rng.normal(0, CURVE_JITTER * 2, DRAWS))
    drawn = (1 - np.exp(-np.outer(decays, GRID))) / (1 - np.exp(-decays))[:, None]
    if curves:
        use_history = rng.random(DRAWS) < len(curves) / (len(curves) + PRIOR_CAMPAIGNS)
        picks = rng.integers(0, len(curves), DRAWS)
        stacked = np.asarray(curves)
        drawn[use_history] = stacked[picks[use_history]]
    return drawn


def _at(curves: np.ndarray, u: float) -> np.ndarray:
    """Each curve's value at fraction u."""
    i = min(int(u * (len(GRID) - 1)), len(GRID) - 2)
    w = u * (len(GRID) - 1) - i
    return curves[:, i] * (1 - w) + curves[:, i + 1] * w


def _path(now, end, start, life, g, g_now, raised, future):
    """Percentiles of the cumulative total on each day from today to the end."""
    out = []
    remaining = np.maximum(1 - g_now, 1e-9)
    day = now.date()
    while True:
        moment = min(dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1), end)
        u = min(max((moment - start).total_seconds() / life, 0.0), 1.0)
        share = np.clip((_at(g, u) - g_now) / remaining, 0.0, 1.0)
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
