"""The ask beyond the hosted page: the thank-you page and the embed box draw a variant per view
and their shares record it; the social card draws the variant's (or the kept) card_headline."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Share, Variant, VariantDay
from tests.conftest import BOTH_ENGINES
from tests.experiments.test_page import BROWSER, HEADINGS, SAME_ORIGIN, variant_field

SHARE_TEXT = quote("Help stop the snoopers before the hearing")


def heading(page: str, tag: str = "h2") -> str:
    return re.search(rf'<{tag} id="promoter-heading">([^<]*)</{tag}>', page).group(1)


def start(app, client, auth, experiment_body, slug: str = "hosted") -> dict[str, int]:
    """Run the experiment on the campaign; its variants' ids by key."""
    answer = client.post(
        f"/api/v1/campaigns/{slug}/experiments", headers=auth, json=experiment_body
    )
    assert answer.status_code == 201
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Variant).where(Variant.experiment_id == answer.json["id"])
        )
        return {v.key: v.id for v in rows}


def views(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(VariantDay.views), 0)))


def share_variants(app) -> list[int | None]:
    with app.app_context():
        return db.session.execute(sa.select(Share.variant_id).order_by(Share.id)).scalars().all()


@BOTH_ENGINES
def test_the_thank_you_page_draws_the_ask_and_its_share_records_the_variant(
    app, client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="hosted", pledge_page=True)
    make_campaign(slug="other", pledge_page=True)
    ids = start(app, client, auth, experiment_body)
    foreign = start(app, client, auth, experiment_body, slug="other")["urgent"]
    posted = client.post("/c/hosted/pledge", data={"amount": "25"}, headers=SAME_ORIGIN)
    address = urlsplit(posted.headers["Location"]).path
    seen = {}
    for _ in range(30):
        page = client.get(address, headers=BROWSER)
        assert page.status_code == 200 and "Set-Cookie" not in page.headers
        text = page.get_data(as_text=True)
        seen[heading(text)] = variant_field(text)
    assert set(seen) == HEADINGS  # both drawn (chance of not: 2 × 2^-30)
    assert seen == {
        "Be a promoter": str(ids["control"]),
        "Two weeks left to stop it": str(ids["urgent"]),
    }
    client.get(address, headers={"User-Agent": "Googlebot/2.1"})  # a machine: not counted
    assert views(app) == 30

    # The thank-you page's share form posts to the hosted page's share route, variant and all.
    form = {"channel": "x", "variant": seen["Two weeks left to stop it"]}
    shared = client.post("/c/hosted/share", data=form, headers=SAME_ORIGIN)
    assert shared.status_code == 200 and SHARE_TEXT in shared.get_data(as_text=True)
    forged = client.application.test_client().post(
        "/c/hosted/share", data={"channel": "x", "variant": str(foreign)}, headers=SAME_ORIGIN
    )
    assert forged.status_code == 200 and SHARE_TEXT not in forged.get_data(as_text=True)
    assert share_variants(app) == [ids["urgent"], None]


@BOTH_ENGINES
def test_the_embed_box_draws_the_ask_names_it_in_its_etag_and_its_share_records_it(
    app, client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="hosted")
    make_campaign(slug="other")
    ids = start(app, client, auth, experiment_body)
    foreign = start(app, client, auth, experiment_body, slug="other")["urgent"]
    seen, tags = {}, {}
    for _ in range(30):
        box = client.get("/embed/hosted", headers=BROWSER)
        assert box.status_code == 200 and "Set-Cookie" not in box.headers
        text = box.get_data(as_text=True)
        shown = heading(text, "h1")
        seen[shown] = variant_field(text)
        assert tags.setdefault(shown, box.headers["ETag"]) == box.headers["ETag"]
        if shown == "Two weeks left to stop it":
            assert "Every share brings money in." in text
    assert set(seen) == HEADINGS
    assert seen == {
        "Be a promoter": str(ids["control"]),
        "Two weeks left to stop it": str(ids["urgent"]),
    }
    assert len(set(tags.values())) == 2  # the variant is part of the box's name
    client.get("/embed/hosted", headers={"User-Agent": "Googlebot/2.1"})
    assert views(app) == 30

    urgent = {"channel": "x", "variant": str(ids["urgent"])}
    shared = client.post("/embed/hosted/share", data=urgent, headers=SAME_ORIGIN)
    assert shared.status_code == 200 and SHARE_TEXT in shared.get_data(as_text=True)
    cookie_free = client.application.test_client()
    forged = cookie_free.post(
        "/embed/hosted/share", data={"channel": "x", "variant": str(foreign)}, headers=SAME_ORIGIN
    )
    assert forged.status_code == 200 and SHARE_TEXT not in forged.get_data(as_text=True)
    garbage = cookie_free.post(
        "/embed/hosted/share", data={"channel": "x", "variant": "1 OR 1"}, headers=SAME_ORIGIN
    )
    assert garbage.status_code == 400
    assert share_variants(app) == [ids["urgent"], None]


def test_without_an_experiment_the_box_draws_nothing(app, client, make_campaign):
    make_campaign(slug="hosted")
    text = client.get("/embed/hosted", headers=BROWSER).get_data(as_text=True)
    assert heading(text, "h1") == "Be a promoter" and variant_field(text) is None
    assert views(app) == 0


def og_image(page: str) -> str:
    return re.search(r'<meta property="og:image" content="([^"]*)"', page).group(1)


@BOTH_ENGINES
def test_the_card_draws_the_variants_headline_and_ignores_a_foreign_one(
    app, client, auth, make_campaign, experiment_body, engine_name
):
    make_campaign(slug="hosted", pledge_page=True)
    make_campaign(slug="other", pledge_page=True)
    ids = start(app, client, auth, experiment_body)
    foreign = start(app, client, auth, experiment_body, slug="other")["urgent"]
    images = set()
    for _ in range(30):
        page = client.get("/c/hosted", headers=BROWSER).get_data(as_text=True)
        images.add((variant_field(page), og_image(page)))
    assert images == {(str(v), f"https://st.example/c/hosted/card.png?v={v}") for v in ids.values()}
    plain = client.get("/c/hosted/card.png")
    urgent = client.get(f"/c/hosted/card.png?v={ids['urgent']}")
    assert urgent.status_code == 200 and urgent.mimetype == "image/png"
    assert urgent.headers["ETag"] != plain.headers["ETag"] and urgent.data != plain.data
    # The control has no card_headline: its card is the campaign's. Anything else is ignored.
    for v in (ids["control"], foreign, "x", "99999999999999999999", ""):
        other = client.get(f"/c/hosted/card.png?v={v}")
        assert other.status_code == 200 and other.headers["ETag"] == plain.headers["ETag"], v


def test_a_kept_variants_card_headline_is_the_campaigns_card(
    client, auth, make_campaign, experiment_body
):
    make_campaign(slug="hosted", pledge_page=True)
    eid = client.post(
        "/api/v1/campaigns/hosted/experiments", headers=auth, json=experiment_body
    ).json["id"]
    before = client.get("/c/hosted/card.png")
    client.post(
        f"/api/v1/campaigns/hosted/experiments/{eid}/end", headers=auth, json={"keep": "urgent"}
    )
    after = client.get("/c/hosted/card.png")
    assert after.headers["ETag"] != before.headers["ETag"] and after.data != before.data
    page = client.get("/c/hosted", headers=BROWSER).get_data(as_text=True)
    assert og_image(page) == "https://st.example/c/hosted/card.png"  # no variant any more


def test_the_thank_you_page_shows_the_kept_ask_else_start_a_chain(
    client, auth, make_campaign, experiment_body
):
    make_campaign(slug="hosted", pledge_page=True)
    posted = client.post("/c/hosted/pledge", data={"amount": "25"}, headers=SAME_ORIGIN)
    address = urlsplit(posted.headers["Location"]).path
    assert heading(client.get(address, headers=BROWSER).get_data(as_text=True)) == "Start a chain"
    eid = client.post(
        "/api/v1/campaigns/hosted/experiments", headers=auth, json=experiment_body
    ).json["id"]
    ended = client.post(
        f"/api/v1/campaigns/hosted/experiments/{eid}/end", headers=auth, json={"keep": "urgent"}
    )
    assert ended.status_code in (200, 204)
    page = client.get(address, headers=BROWSER).get_data(as_text=True)
    assert heading(page) == "Two weeks left to stop it" and variant_field(page) is None
