"""Public pages and the social card name the organiser, not the tool, in the organiser's colour."""

from __future__ import annotations

import io
import re

from PIL import Image

from sharetrack.campaigns import card
from sharetrack.extensions import db
from sharetrack.promoters import service as promoters

ORGANISER = {
    "organiser_name": "Open Rights Group",
    "organiser_url": "https://www.openrightsgroup.org/",
    "accent_color": "#8b1a1a",
}


def header(page: str) -> str:
    return re.search(r"<header>(.*?)</header>", page, re.S).group(1)


def test_the_hosted_page_is_headed_by_its_organiser_in_its_colour(client, make_campaign):
    campaign = make_campaign(slug="case", pledge_page=True, **ORGANISER)
    page = client.get("/c/case")
    top = header(page.text)
    assert "Open Rights Group" in top and "sharetrack" not in top
    assert '<a href="https://www.openrightsgroup.org/">' in top
    [sheet] = re.findall(r'<link rel="stylesheet" href="(/c/case/accent\.css[^"]*)">', page.text)
    assert sheet == "/c/case/accent.css?v=8b1a1a"  # a new colour is a new address
    css = client.get(sheet)
    assert css.mimetype == "text/css" and "--accent: #8b1a1a;" in css.text
    assert "Set-Cookie" not in css.headers and "public" in css.headers["Cache-Control"]
    # The colour arrives without an inline style, which the CSP forbids.
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert " style=" not in page.text and "<style" not in page.text
    assert campaign.accent_color == "#8b1a1a"


def test_without_an_organiser_the_page_is_headed_by_its_title(client, make_campaign):
    make_campaign(slug="case", title="Stop the Snoopers", pledge_page=True)
    page = client.get("/c/case").text
    assert "Stop the Snoopers" in header(page) and "sharetrack" not in header(page)
    assert "accent.css" not in page
    assert client.get("/c/case/accent.css").status_code == 404


def test_the_embed_box_names_the_organiser(client, make_campaign):
    make_campaign(slug="case", **ORGANISER)
    box = client.get("/embed/case").text
    assert "counted for Open Rights Group" in box
    assert "<title>Be a promoter · Legal challenge 1 · Open Rights Group</title>" in box
    assert "/c/case/accent.css?v=8b1a1a" in box


def test_the_promoter_page_names_each_campaign_s_organiser(app, make_campaign, make_share):
    share, _ = make_share(make_campaign(**ORGANISER))
    with app.app_context():
        [row] = promoters.campaigns_of(db.session, share.promoter_id)
    assert row.organiser == "Open Rights Group"


def test_the_public_404_offers_no_staff_link(client):
    page = client.get("/c/nobody-has-this")
    assert page.status_code == 404
    assert "/staff" not in page.text and "sharetrack home" not in page.text


def test_the_card_names_the_organiser_in_its_colour(client, make_campaign):
    make_campaign(slug="case", pledge_page=True, **ORGANISER)
    image = Image.open(io.BytesIO(client.get("/c/case/card.png").data)).convert("RGB")
    assert image.getpixel((600, 8)) == (0x8B, 0x1A, 0x1A)  # the top band in the accent
    organiser_band = [image.getpixel((x, y)) for x in range(72, 500) for y in range(44, 80)]
    assert any(pixel != card.PAPER for pixel in organiser_band)  # the name is drawn there
    plain = card.Card("A", "£1", None, "1 pledge", 0)
    assert plain.etag() != card.Card("A", "£1", None, "1 pledge", 0, organiser="B").etag()
    assert plain.etag() != card.Card("A", "£1", None, "1 pledge", 0, accent="#000000").etag()


def test_a_card_without_an_organiser_leaves_its_band_empty(client, make_campaign):
    make_campaign(slug="case", pledge_page=True)
    image = Image.open(io.BytesIO(client.get("/c/case/card.png").data)).convert("RGB")
    assert image.getpixel((600, 8)) == card.ACCENT
    band = [image.getpixel((x, y)) for x in range(72, 500) for y in range(20, 60)]
    assert all(pixel == card.PAPER for pixel in band)
