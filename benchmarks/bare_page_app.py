"""The baseline for the public pages: bare Flask answering the same bytes, read from files.

BARE_PAGES names a folder holding `page.html`, `embed.html` and `card.png`, the bodies
sharetrack served (benchmarks/landing.sh fetches them first); no query, template or cache.
"""

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
FOLDER = Path(os.environ.get("BARE_PAGES", "."))
PAGE = (FOLDER / "page.html").read_bytes()
EMBED = (FOLDER / "embed.html").read_bytes()
CARD = (FOLDER / "card.png").read_bytes()


@app.get("/c/<slug>")
def page(slug: str):
    return Response(PAGE, mimetype="text/html")


@app.get("/embed/<slug>")
def embed(slug: str):
    return Response(EMBED, mimetype="text/html")


@app.get("/c/<slug>/card.png")
def card(slug: str):
    return Response(CARD, mimetype="image/png")
