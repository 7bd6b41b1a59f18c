"""Issue 4's acceptance simulation: known true values per share, imported with `flask import`.

Campaigns with known true per-share values per channel, pledges whose delays run from hours to
weeks, zero-heavy lognormal amounts and very unequal share counts are written as JSON Lines
and imported; the estimates are then compared with the truth and with the plain ratio
(credited money ÷ shares). Seeded and small enough for CI.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign, PledgeCredit, Share, utcnow
from tests.estimates import worlds

CHANNELS = ("facebook", "x", "whatsapp", "email")
BASE_RATE = {"facebook": 0.08, "x": 0.04, "whatsapp": 0.12, "email": 0.2}  # pledges per share
BASE_SIZE = {"facebook": 3000, "x": 2000, "whatsapp": 2500, "email": 4000}  # mean pledge
SHARE_COUNTS = (6, 15, 40, 120, 400)
WINDOW = 14
SIGMA = 1.0  # lognormal amounts


def iso(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat()


def simulate(rng: random.Random, now: dt.datetime, campaigns: int, young: int):
    """(JSON Lines records, {(slug, channel): true value per share in minor units})."""
    records, truth = [], {}
    for n in range(campaigns + young):
        slug = f"sim-{n}"
        is_young = n >= campaigns
        records.append(
            {"type": "campaign", "slug": slug, "title": slug, "landing_url": "https://case.example/",
             "currency": "GBP", "target_minor": 10**7, "window_days": WINDOW}
        )  # fmt: skip
        for channel in CHANNELS:
            rate = BASE_RATE[channel] * math.exp(rng.gauss(0, 0.35))
            size = BASE_SIZE[channel] * math.exp(rng.gauss(0, 0.2))
            truth[(slug, channel)] = rate * size
            for i in range(400 if is_young else rng.choice(SHARE_COUNTS)):
                key = f"{slug}-{channel}-{i}"
                age = rng.uniform(0.5, 8) if is_young else rng.uniform(0.5, 150)
                created = now - dt.timedelta(days=age)
                records.append(
                    {"type": "share", "key": key, "campaign": slug, "channel": channel,
                     "promoter": f"p-{key}", "created_at": iso(created)}
                )  # fmt: skip
                for p in range(_poisson(rng, rate)):
                    delay = _delay(rng)
                    if created + delay >= now - dt.timedelta(minutes=1):
                        continue  # not pledged yet
                    amount = max(1, round(rng.lognormvariate(math.log(size) - SIGMA**2 / 2, SIGMA)))
                    records.append(
                        {"type": "pledge", "external_id": f"{key}-{p}", "campaign": slug,
                         "amount_minor": min(amount, 10**8), "currency": "GBP", "status": "paid",
                         "at": iso(created + delay), "share": key}
                    )  # fmt: skip
    return records, truth


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, rng.random(), math.exp(-lam)
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _delay(rng: random.Random) -> dt.timedelta:
    """Hours to weeks (median about two days), always inside the share's horizon."""
    while True:
        days = math.exp(rng.gauss(math.log(2), 1.2))
        if days < 2 * WINDOW * 0.9:
            return dt.timedelta(days=days)


def table(rows) -> str:
    lines = [f"{'cell':<24}{'shares':>7}{'truth':>8}{'plain':>8}{'ours':>8}   interval"]
    for (slug, channel), shares, truth, plain, e in rows:
        lines.append(
            f"{slug + '/' + channel:<24}{shares:>7}{truth:>8.0f}{plain:>8.0f}"
            f"{e.estimate_minor:>8}   [{e.low_minor}, {e.high_minor}]"
        )
    return "\n".join(lines)


def test_estimates_beat_the_plain_ratio_and_their_intervals_cover(app, jsonl, run_import):
    now = utcnow().replace(microsecond=0)
    records, truth = simulate(random.Random(20261126), now, campaigns=16, young=2)
    result = run_import(jsonl(*records))
    assert result.exit_code == 0, result.output
    rows = []
    with app.app_context():
        shares = {
            (slug, channel): n
            for slug, channel, n in db.session.execute(
                sa.select(Campaign.slug, Share.channel, sa.func.count())
                .select_from(Share)
                .join(Campaign, Campaign.id == Share.campaign_id)
                .group_by(Campaign.slug, Share.channel)
            )
        }
        credited = {
            (slug, channel): amount
            for slug, channel, amount in db.session.execute(
                sa.select(Campaign.slug, Share.channel, sa.func.sum(PledgeCredit.amount_minor))
                .select_from(PledgeCredit)
                .join(Share, Share.id == PledgeCredit.share_id)
                .join(Campaign, Campaign.id == Share.campaign_id)
                .where(PledgeCredit.model == Campaign.attribution_model)
                .group_by(Campaign.slug, Share.channel)
            )
        }
        estimates = worlds.estimates_by_slug(now)
        for campaign in db.session.scalars(sa.select(Campaign).order_by(Campaign.id)):
            for channel in CHANNELS:
                cell = (campaign.slug, channel)
                plain = float(credited.get(cell) or 0) / shares[cell]
                rows.append(
                    (cell, shares[cell], truth[cell], plain, estimates[campaign.slug][channel])
                )
    mature = [r for r in rows if int(r[0][0].split("-")[1]) < 16]
    young = [r for r in rows if r not in mature]
    ours_mae = sum(abs(r[4].estimate_minor - r[2]) for r in mature) / len(mature)
    plain_mae = sum(abs(r[3] - r[2]) for r in mature) / len(mature)
    covered = sum(r[4].low_minor <= r[2] <= r[4].high_minor for r in rows) / len(rows)
    young_ours = sum(r[4].estimate_minor for r in young) / sum(r[2] for r in young)
    young_plain = sum(r[3] for r in young) / sum(r[2] for r in young)
    report = (
        f"\n{table(rows)}\nMAE ours {ours_mae:.0f}, plain {plain_mae:.0f}; coverage "
        f"{covered:.0%}; young campaigns: ours/truth {young_ours:.2f}, plain/truth "
        f"{young_plain:.2f}"
    )
    assert ours_mae <= 0.7 * plain_mae, report
    assert 0.80 <= covered <= 0.97, report
    # One world's two young campaigns are noisy; benchmarks/estimate_quality.py checks the
    # 0.8–1.25 target over many worlds.
    assert 0.7 <= young_ours <= 1.4 and young_plain < 0.8, report


def test_the_second_simulator_too(app, tmp_path):
    """One world of the second simulator (tests/estimates/worlds.py) through `flask import`.

    Looser bounds than the issue's targets, which benchmarks/estimate_quality.py checks over
    ten worlds: one world of heavy-tailed pledges is noisy.
    """
    now = utcnow().replace(microsecond=0)
    result = worlds.evaluate(app, worlds.second(random.Random(3), now), now, tmp_path / "w.jsonl")
    report = str(result)
    assert result.relative_error <= 0.85, report
    assert 0.75 <= result.coverage <= 0.99, report
    assert 0.6 <= result.young_ratio <= 1.6 and result.young_plain < 0.8, report
