"""What matching a request path against the redirect's routes costs the middleware.

    .venv/bin/python benchmarks/redirect_match.py

100,000 paths (clicks, scans, pages, API calls), best of 5: links.paths.match (what the
middleware runs on every request) against werkzeug's matcher on the app's URL map.
"""

from __future__ import annotations

import random
import timeit

from werkzeug.exceptions import HTTPException

from sharetrack import create_app
from sharetrack.links import paths

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
SHAPES = ["/s/{}", "/S/{}", "/s/{}/q", "/S/{}/Q", "/api/v1/shares", "/c/{}", "/static/a.css", "/"]
N = 100_000


def main() -> None:
    rng = random.Random(21)
    token = lambda: "".join(rng.choice(ALPHABET) for _ in range(rng.randint(20, 40)))  # noqa: E731
    sample = [rng.choice(SHAPES).format(token()) for _ in range(N)]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    adapter = app.url_map.bind("localhost")

    def ours() -> None:
        for path in sample:
            paths.match(path)

    def werkzeug() -> None:
        for path in sample:
            try:
                adapter.match(path, "GET")
            except HTTPException:  # 404s, and RequestRedirect
                pass

    for name, run in (("links.paths.match", ours), ("werkzeug URL map", werkzeug)):
        best = min(timeit.repeat(run, number=1, repeat=5))
        print(f"{name}: {best * 1e3:.1f} ms per {N:,} paths, {best / N * 1e9:.0f} ns a path")


if __name__ == "__main__":
    main()
