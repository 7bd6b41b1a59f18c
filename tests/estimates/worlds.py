"""Simulated organisations with known true values, run through the real `flask import`.

Two simulators of different structure feed the same evaluation:
- `first` (test_simulation.py): channel effects and independent ±35% cells, no campaign-wide
  effect, one window, lognormal amounts, pledges never refunded.
- `second` (here): a campaign-wide effect on rate and size (a case that catches the public's
  attention raises more on every channel), channel effects, small cell deviations, windows of
  7 to 30 days, heavy-tailed amounts with a few very large pledges, delays from hours to weeks,
  young and old campaigns with very unequal share counts, and refunds.

`evaluate` imports a world into the app's database and compares every cell's estimate with the
truth and with the plain ratio (credited money ÷ shares). benchmarks/estimate_quality.py prints
the table over many worlds; the tests run one world of each with looser bounds.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass

import sqlalchemy as sa

from sharetrack.estimates.service import channel_estimates
from sharetrack.estimates.share_value import ShareHistory
from sharetrack.extensions import db
from sharetrack.models import Campaign, PledgeCredit, Share

RATE = {"facebook": 0.05, "x": 0.02, "whatsapp": 0.1, "email": 0.15, "linkedin": 0.03,
        "telegram": 0.06}  # fmt: skip
SIZE = {"facebook": 2500, "x": 1500, "whatsapp": 2000, "email": 5000, "linkedin": 6000,
        "telegram": 1800}  # fmt: skip
SIZE_SIGMA = 1.3
BIG_CHANCE, BIG_FACTOR = 0.004, 40  # a few very large pledges
REFUND_CHANCE = 0.08


def iso(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat()


@dataclass(frozen=True)
class World:
    """Import records, the true value per share of each cell, and which campaigns are young."""

    records: list[dict]
    truth: dict[tuple[str, str], float]
    young: frozenset[str]


def second(rng: random.Random, now: dt.datetime, campaigns: int = 14, young: int = 3) -> World:
    """An organisation of the second simulator (see the module's docstring)."""
    records, truth, young_slugs = [], {}, set()
    big_mean = 1 - BIG_CHANCE + BIG_CHANCE * BIG_FACTOR
    for n in range(campaigns + young):
        slug = f"two-{n}"
        is_young = n >= campaigns
        window = rng.choice((7, 14, 30))
        life = rng.uniform(7, 14) if is_young else rng.uniform(40, 120)
        starts = now - dt.timedelta(days=life + (0 if is_young else rng.uniform(0, 90)))
        ends = starts + dt.timedelta(days=life if not is_young else 45)
        records.append(
            {"type": "campaign", "slug": slug, "title": slug, "landing_url": "https://case.example/",
             "currency": "GBP", "target_minor": 10**7, "window_days": window,
             "starts_at": iso(starts), "ends_at": iso(ends)}
        )  # fmt: skip
        if is_young:
            young_slugs.add(slug)
        attention = math.exp(rng.gauss(0, 0.6))  # campaign-wide, on every channel
        generosity = math.exp(rng.gauss(0, 0.3))
        for channel in RATE:
            rate = RATE[channel] * attention * math.exp(rng.gauss(0, 0.2))
            size = SIZE[channel] * generosity * math.exp(rng.gauss(0, 0.1))
            truth[(slug, channel)] = rate * (1 - REFUND_CHANCE) * size * big_mean
            count = min(int(10 * rng.paretovariate(0.9)) + 3, 4000)
            for i in range(count):
                key = f"{slug}-{channel}-{i}"
                # Shares come mostly early in a campaign's life.
                made = starts + dt.timedelta(days=life * rng.random() ** 1.6)
                records.append(
                    {"type": "share", "key": key, "campaign": slug, "channel": channel,
                     "promoter": f"p-{key}", "created_at": iso(made)}
                )  # fmt: skip
                for p in range(_poisson(rng, rate)):
                    at = made + _delay(rng, window)
                    if at >= now - dt.timedelta(minutes=1):
                        continue
                    amount = rng.lognormvariate(math.log(size) - SIZE_SIGMA**2 / 2, SIZE_SIGMA)
                    if rng.random() < BIG_CHANCE:
                        amount *= BIG_FACTOR
                    pledge = {
                        "type": "pledge", "external_id": f"{key}-{p}", "campaign": slug,
                        "amount_minor": max(1, min(round(amount), 10**8)), "currency": "GBP",
                        "status": "paid", "at": iso(at), "share": key,
                    }  # fmt: skip
                    records.append(pledge)
                    refunded = at + dt.timedelta(days=rng.uniform(0.5, 5))
                    if rng.random() < REFUND_CHANCE and refunded < now:
                        records.append(pledge | {"status": "refunded", "at": iso(refunded)})
    return World(records, truth, frozenset(young_slugs))


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, rng.random(), math.exp(-lam)
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _delay(rng: random.Random, window: int) -> dt.timedelta:
    """Half within hours, half over days to weeks; always inside the share's horizon."""
    while True:
        days = rng.expovariate(4) if rng.random() < 0.5 else math.exp(rng.gauss(math.log(5), 0.9))
        if days < 2 * window * 0.9:
            return dt.timedelta(days=days)


@dataclass(frozen=True)
class Result:
    """One world's figures: our error over the plain ratio's (mature campaigns), the share of
    cells whose 90% interval holds the truth, young campaigns' summed estimate over truth."""

    ours_error: float
    plain_error: float
    coverage: float
    young_ratio: float
    young_plain: float
    cells: int
    young_estimate: float = 0.0  # the sums behind young_ratio
    young_truth: float = 0.0
    crude_error: float = 0.0  # the review's crude baseline (CRUDE_SHARES toward the channel)

    @property
    def relative_error(self) -> float:
        return self.ours_error / self.plain_error


def histories(records: list[dict], now: dt.datetime) -> list[ShareHistory]:
    """The records as the pure estimator's input, as `flask import` and the service would make
    them: each counted pledge credited whole to its share (last click), refunds dropped."""
    windows, shares, pledges = {}, {}, {}
    for r in records:
        if r["type"] == "campaign":
            windows[r["slug"]] = r["window_days"]
        elif r["type"] == "share":
            shares[r["key"]] = (r["campaign"], r["channel"], _when(r["created_at"]))
        elif r["type"] == "pledge" and r["status"] == "refunded":
            pledges.pop(r["external_id"], None)
        elif r["type"] == "pledge":
            pledges[r["external_id"]] = (r["share"], _when(r["at"]), float(r["amount_minor"]))
    credits: dict[str, list[tuple[float, float]]] = {}
    for key, at, amount in pledges.values():
        delay = (at - shares[key][2]).total_seconds() / 86400
        credits.setdefault(key, []).append((delay, amount))
    return [
        ShareHistory(slug, channel, (now - made).total_seconds() / 86400, windows[slug],
                     tuple(credits.get(key, ())))
        for key, (slug, channel, made) in shares.items()
    ]  # fmt: skip


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=None)


def write(path, records: list[dict]) -> str:
    """The records as a JSON Lines file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def estimates_by_slug(now: dt.datetime) -> dict:
    """Every campaign's direct estimate per channel, as the app computes it (channel_estimates)."""
    return {
        campaign.slug: {
            channel: found.estimate
            for channel, found in channel_estimates(db.session, campaign, now).items()
        }
        for campaign in db.session.scalars(sa.select(Campaign))
    }


def evaluate(app, world: World, now: dt.datetime, path) -> Result:
    """Import `world` with the real `flask import`, then score every cell's estimate."""
    result = app.test_cli_runner().invoke(args=["import", write(path, world.records)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        shares = dict(_by_cell(sa.func.count()))
        credited = dict(_by_cell(sa.func.sum(PledgeCredit.amount_minor), credits=True))
        estimates = estimates_by_slug(now)
    ours = plain = young_est = young_true = young_plain = crude = 0.0
    covered = cells = 0
    mean = _channel_means(shares, credited)
    for (slug, channel), true in world.truth.items():
        n = shares.get((slug, channel), 0)
        e = estimates[slug][channel]
        cells += 1
        covered += e.low_minor <= true <= e.high_minor
        money = float(credited.get((slug, channel)) or 0)
        ratio = money / n if n else 0.0
        if slug in world.young:
            young_est += e.estimate_minor
            young_true += true
            young_plain += ratio
        elif n:
            ours += abs(e.estimate_minor - true)
            plain += abs(ratio - true)
            crude += abs((money + CRUDE_SHARES * mean[channel]) / (n + CRUDE_SHARES) - true)
    return Result(ours, plain, covered / cells, young_est / young_true, young_plain / young_true,
                  cells, young_est, young_true, crude)  # fmt: skip


CRUDE_SHARES = 80


def _channel_means(shares: dict, credited: dict) -> dict[str, float]:
    """Credited money per share of each channel over all campaigns (the crude baseline's)."""
    money: dict[str, float] = {}
    count: dict[str, int] = {}
    for (_slug, channel), n in shares.items():
        money[channel] = money.get(channel, 0.0) + float(credited.get((_slug, channel)) or 0)
        count[channel] = count.get(channel, 0) + n
    return {channel: money[channel] / count[channel] for channel in count}


def _by_cell(value, credits: bool = False):
    query = sa.select(Campaign.slug, Share.channel, value)
    if credits:
        query = (
            query.select_from(PledgeCredit)
            .join(Share, Share.id == PledgeCredit.share_id)
            .where(PledgeCredit.model == Campaign.attribution_model)
        )
    else:
        query = query.select_from(Share)
    query = query.join(Campaign, Campaign.id == Share.campaign_id)
    for slug, channel, v in db.session.execute(query.group_by(Campaign.slug, Share.channel)):
        yield (slug, channel), v
