"""The landing pages' own cost, without a server or a load generator: microseconds per request.

    .venv/bin/python benchmarks/landing_inprocess.py                      # the figures
    .venv/bin/python benchmarks/landing_inprocess.py --profile /c/demo    # where its time goes

The demo campaign on a throwaway SQLite database (benchmarks/redirect_inprocess.py's), a cache
folder of its own, the card's limit lifted; each path called directly through the WSGI app,
best of 5 rounds of 500 calls, beside bare Flask's 302 (benchmarks/bare_app.py).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import redirect_inprocess as base  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", metavar="PATH", help="profile 1,000 requests of PATH")
    parser.add_argument("--sort", default="cumulative", help="profile order")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["SHARETRACK_RATELIMIT_CARD"] = "100000000/minute"
        os.environ["SHARETRACK_CACHE_DIR"] = str(tmp / "cache")
        app, token = base.prepare(tmp)
        from bare_app import app as bare

        print(f"{'bare Flask 302':<28}{base.per_call(bare, f'/s/{token}', calls=500):8.0f} µs")
        for path in (
            "/healthz",
            "/c/demo",
            f"/c/demo?ref={token}",
            "/embed/demo",
            "/c/demo/card.png",
        ):
            label = path.replace(token, "…")
            print(f"{label:<28}{base.per_call(app, path, calls=500):8.0f} µs")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(base.per_call, app, args.profile, 1, 1000)
            pstats.Stats(profile).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
