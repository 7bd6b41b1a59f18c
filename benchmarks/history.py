"""A seeded, realistic import file: one campaign, its shares, clicks and pledges.

    python benchmarks/history.py --clicks 1000000 > bench.jsonl

Shares belong to promoters (a few channels each), a third arrived through another share
(cascades several levels deep), clicks favour a few popular shares, and pledges name one to
three of the shares their supporters arrived through, some later refunded.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import sys

CHANNELS = ["facebook", "x", "whatsapp", "linkedin", "bluesky"]
CHANNELS += ["telegram", "reddit", "email", "link"]
WEIGHTS = [30, 15, 20, 5, 5, 5, 5, 10, 5]


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def lines(clicks: int, shares: int, pledges: int, seed: int = 7, slug: str = "bench"):
    """Yield the file's records as dicts."""
    rng = random.Random(seed)
    end = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(hours=2)
    start = end - dt.timedelta(days=90)
    span = (end - start).total_seconds()
    yield {
        "type": "campaign",
        "slug": slug,
        "title": "Benchmark campaign",
        "landing_url": "https://case.example/pledge",
        "currency": "GBP",
        "target_minor": 50_000_000,
        "window_days": 30,
    }
    made: list[tuple[str, dt.datetime]] = []
    promoter, used = 0, set(CHANNELS)
    for i in range(shares):
        # A new promoter, or the last one on another channel (one link per channel each).
        if len(used) == len(CHANNELS) or rng.random() < 0.45:
            promoter, used = promoter + 1, set()
        channel = rng.choices([c for c in CHANNELS if c not in used])[0]
        used.add(channel)
        created = start + dt.timedelta(seconds=span * (i / shares) ** 0.7)
        line = {
            "type": "share",
            "key": f"s{i}",
            "campaign": slug,
            "channel": channel,
            "promoter": f"p{promoter}",
            "created_at": iso(created),
        }
        if made and rng.random() < 0.33:
            line["parent"] = made[int(len(made) * rng.random() ** 0.5)][0]
        made.append((line["key"], created))
        yield line
    # Popularity: a few shares draw most clicks.
    cumulative = list(itertools.accumulate(rng.paretovariate(1.2) for _ in made))
    visitors = clicks // 3 + 1
    for _ in range(clicks):
        key, created = made[_pick(rng, cumulative)]
        at = min(end, created + dt.timedelta(hours=rng.expovariate(1 / 36)))
        line = {
            "type": "click",
            "share": key,
            "at": iso(at),
            "visitor": f"v{rng.randrange(visitors)}",
        }
        if rng.random() < 0.05:
            line["bot"] = True
        yield line
    for i in range(pledges):
        touches = sorted(
            (made[_pick(rng, cumulative)] for _ in range(rng.choice([1, 1, 1, 2, 2, 3]))),
            key=lambda t: t[1],
        )
        last = max(t[1] for t in touches)
        at = min(end, last + dt.timedelta(hours=rng.expovariate(1 / 48)))
        refs = [
            {"share": key, "at": iso(min(at, created + dt.timedelta(hours=rng.random() * 24)))}
            for key, created in touches
        ]
        yield {
            "type": "pledge",
            "external_id": f"x{i}",
            "campaign": slug,
            "amount_minor": int(rng.lognormvariate(7.5, 1.0)) + 100,
            "currency": "GBP",
            "status": rng.choices(["paid", "pledged", "refunded", "cancelled"], [80, 14, 4, 2])[0],
            "at": iso(at),
            "refs": refs,
        }


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    """An index drawn with the weights whose running sums are `cumulative`."""
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--shares", type=int, default=100_000)
    parser.add_argument("--pledges", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    out = sys.stdout
    for record in lines(args.clicks, args.shares, args.pledges, args.seed):
        out.write(json.dumps(record, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
