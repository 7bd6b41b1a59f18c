"""The hosted page's social card: Open Graph tags, and a 1200 × 630 PNG whose ETag follows the
campaign's figures."""

from __future__ import annotations

import io
import re
from html import unescape

from PIL import Image

from sharetrack.campaigns import card
from tests.conftest import SAME_ORIGIN
from tests.pledges.test_page import (  # noqa: F401 (fixture)
    confirm_all,
    hosted,
    open_page,
)


def meta(html: str) -> dict[str, str]:
    """Each <meta property|name=… content=…> of the page."""
    return {
        k: unescape(v)
        for k, v in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html)
    }


def test_the_page_carries_open_graph_and_twitter_tags(app_config, client, hosted):  # noqa: F811
    tags = meta(open_page(client, hosted))
    assert tags["og:title"] == hosted.title
    assert tags["og:description"].startswith("We are taking the government to court.")
    assert "£0 raised of £5,000" in tags["og:description"]
    assert tags["og:url"] == f"https://st.example/c/{hosted.slug}"  # on BASE_URL
    assert tags["og:image"] == f"https://st.example/c/{hosted.slug}/card.png"
    assert tags["twitter:card"] == "summary_large_image"
    assert app_config["BASE_URL"] == "https://st.example"


def test_the_card_is_a_1200_by_630_png_revalidated_by_its_etag(app, client, hosted):  # noqa: F811
    response = client.get(f"/c/{hosted.slug}/card.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    image.load()  # decodes every pixel: a truncated file fails here
    assert (image.format, image.size) == ("PNG", (1200, 630))
    tag = response.headers["ETag"]
    assert "public" in response.headers["Cache-Control"]
    again = client.get(f"/c/{hosted.slug}/card.png", headers={"If-None-Match": tag})
    assert (again.status_code, again.data) == (304, b"")

    open_page(client, hosted)
    posted = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "2,500"}, headers=SAME_ORIGIN)
    assert posted.status_code == 303
    # An unconfirmed form pledge moves no public figure: the card is the same.
    same = client.get(f"/c/{hosted.slug}/card.png", headers={"If-None-Match": tag})
    assert same.status_code == 304
    confirm_all(app)  # once staff confirm it, the figures change, and so do the card and its tag
    changed = client.get(f"/c/{hosted.slug}/card.png", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.data != response.data


def test_the_card_of_a_campaign_without_a_hosted_page_is_404(client, make_campaign):
    assert client.get(f"/c/{make_campaign().slug}/card.png").status_code == 404


def test_the_drawing_shows_progress_and_survives_a_long_title():
    shown = card.Card("Stop " * 60, "£2,500", "£5,000", "1 pledge", 0.5)
    image = Image.open(io.BytesIO(card.png(shown))).convert("RGB")
    assert image.size == (1200, 630)
    bar_y = next(y for y in range(300, 630) if image.getpixel((1100, y)) == card.TRACK)
    assert image.getpixel((card.MARGIN + 100, bar_y + 18)) == card.ACCENT  # the filled half
    assert image.getpixel((1100, bar_y + 18)) == card.TRACK  # the half still to raise
    assert (
        card.Card("A", "£1", None, "1 pledge", 0).etag()
        != card.Card("A", "£2", None, "1 pledge", 0).etag()
    )
