"""The hosted page shows a variant drawn per view; its share records the variant."""

from __future__ import annotations

import re
from urllib.parse import quote

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Share, Variant, VariantDay
from tests.conftest import BOTH_ENGINES

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
HEADINGS = {"Be a promoter", "Two weeks left to stop it"}
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari"}


def heading(page: str) -> str:
    return re.search(r'<h2 id="promoter-heading">([^<]*)</h2>', page).group(1)


def variant_field(page: str) -> str | None:
    found = re.search(r'name="variant" value="(\d+)"', page)
    return found.group(1) if found else None


@BOTH_ENGINES
def test_each_view_draws_a_variant_counts_it_and_sets_no_cookie(
    app, client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="hosted", pledge_page=True)
    client.post("/api/v1/campaigns/hosted/experiments", headers=auth, json=experiment_body)
    seen = {}
    for _ in range(30):
        page = client.get("/c/hosted", headers=BROWSER)
        assert page.status_code == 200 and "Set-Cookie" not in page.headers
        text = page.get_data(as_text=True)
        seen[heading(text)] = variant_field(text)
    assert set(seen) == HEADINGS  # both drawn (chance of not: 2 × 2^-30)
    client.get("/c/hosted", headers={"User-Agent": "Googlebot/2.1"})  # a machine: not counted
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(VariantDay.views))) == 30
        ids = {v.heading: str(v.id) for v in db.session.scalars(sa.select(Variant))}
    assert seen == ids  # the page's hidden field names the variant it shows


@BOTH_ENGINES
def test_a_share_records_its_variant_and_prefills_its_share_text(
    app, client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="hosted", pledge_page=True)
    make_campaign(slug="other", pledge_page=True)
    client.post("/api/v1/campaigns/hosted/experiments", headers=auth, json=experiment_body)
    other = client.post("/api/v1/campaigns/other/experiments", headers=auth, json=experiment_body)
    with app.app_context():
        urgent = db.session.scalar(
            sa.select(Variant.id).where(Variant.key == "urgent").order_by(Variant.id)
        )
        foreign = db.session.scalar(
            sa.select(Variant.id).where(Variant.experiment_id == other.json["id"])
        )
    shared = client.post(
        "/c/hosted/share", data={"channel": "x", "variant": str(urgent)}, headers=SAME_ORIGIN
    )
    assert shared.status_code == 200
    text = quote("Help stop the snoopers before the hearing")
    assert f"text={text}" in shared.get_data(as_text=True)
    # another campaign's variant, or none: the share records none, the intent has the title
    cookie_free = client.application.test_client()
    forged = cookie_free.post(
        "/c/hosted/share", data={"channel": "x", "variant": str(foreign)}, headers=SAME_ORIGIN
    )
    assert forged.status_code == 200 and text not in forged.get_data(as_text=True)
    garbage = cookie_free.post(
        "/c/hosted/share", data={"channel": "x", "variant": "x1"}, headers=SAME_ORIGIN
    )
    assert garbage.status_code == 400
    with app.app_context():
        rows = db.session.execute(sa.select(Share.variant_id).order_by(Share.id)).scalars().all()
    assert rows == [urgent, None]


@BOTH_ENGINES
def test_a_kept_variant_becomes_the_page_ask(
    client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="hosted", pledge_page=True)
    eid = client.post(
        "/api/v1/campaigns/hosted/experiments", headers=auth, json=experiment_body
    ).json["id"]
    client.post(
        f"/api/v1/campaigns/hosted/experiments/{eid}/end", headers=auth, json={"keep": "urgent"}
    )
    for _ in range(5):
        page = client.get("/c/hosted", headers=BROWSER).get_data(as_text=True)
        assert heading(page) == "Two weeks left to stop it" and variant_field(page) is None
    shared = client.post("/c/hosted/share", data={"channel": "x"}, headers=SAME_ORIGIN)
    assert quote("Help stop the snoopers before the hearing") in shared.get_data(as_text=True)
