"""The promoter's private page /p/<token>: links, clicks, export and erasure."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.models import Click, Promoter, Share
from sharetrack.promoters import identity
from sharetrack.services import services
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import errors_in


@pytest.fixture
def promoter(app, make_campaign):
    """A named promoter with facebook and link shares in one campaign; (code, page path)."""
    campaign = make_campaign(title="Stop the Snoopers", slug="snoopers")
    with app.app_context():
        tokens = services(app).tokens
        person = links.create_promoter(db.session, display_name="Ada")
        identity.remember_email(tokens, person, "ada@example.org")
        for channel in ("link", "facebook"):
            links.get_or_create_share(
                db.session, campaign=campaign, promoter=person, channel=channel, parent_id=None
            )
        db.session.commit()
        code = person.code
        key = identity.private_key(tokens, person)
        db.session.commit()
    return code, f"/p/{key}"


def shares_of(app, code) -> dict[str, int]:
    with app.app_context():
        person = links.promoter_by_code(db.session, code)
        return {s.channel: s.id for s in person.shares}


def token_of(app, share_id: int) -> str:
    return services(app).tokens.share_token(share_id)


@BOTH_ENGINES
def test_the_page_shows_each_link_with_its_clicks(app, client, promoter, visit, engine_name):
    code, path = promoter
    ids = shares_of(app, code)
    visit(token_of(app, ids["facebook"]), ip="203.0.113.1")
    visit(token_of(app, ids["facebook"]), ip="203.0.113.2")
    visit(token_of(app, ids["facebook"]), bot=True)
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    text = page.text
    assert "Ada, your shares" in text
    assert "Your links brought <strong>2</strong> visits" in text
    facebook_url = f"https://st.example/s/{token_of(app, ids['facebook'])}"
    assert f'value="{facebook_url}"' in text
    assert "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fst.example%2Fs%2F" in text
    assert f'data-copy="link-{ids["facebook"]}"' in text
    assert f'data-copy="link-{ids["link"]}"' in text
    assert "2 clicks · 2 unique" in text
    assert "0 clicks · 0 unique" in text
    assert f'href="{path}/erase"' in text
    assert "Set-Cookie" not in page.headers  # reading your page leaves nothing behind
    # The page's links are real: following one reaches the campaign.
    assert client.get(urlsplit(facebook_url).path).status_code == 302


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t + "x",
        lambda t: t.split(".")[0],  # the signature cut off
        lambda t: "x" * 5000,
        lambda t: "%00",
        lambda t: "%FF%FE",
        lambda t: "..",
    ],
)
def test_a_tampered_token_is_the_site_404(client, promoter, mangle):
    _, path = promoter
    token = path.removeprefix("/p/")
    for suffix in ("", "/export.json", "/erase"):
        response = client.get(f"/p/{mangle(token)}{suffix}")
        assert response.status_code == 404
        assert "<h1>Not found</h1>" in response.text


def test_a_share_link_token_does_not_open_a_page(app, client, promoter):
    code, _ = promoter
    share_token = token_of(app, shares_of(app, code)["facebook"])
    assert client.get(f"/p/{share_token}").status_code == 404


def test_export_has_everything_we_keep_about_them(app, client, promoter, visit):
    code, path = promoter
    ids = shares_of(app, code)
    visit(token_of(app, ids["link"]))
    response = client.get(f"{path}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.data)
    assert data["promoter"] | {"created_at": None} == {
        "code": code,
        "display_name": "Ada",
        "email_hash": services(app).tokens.email_hashes("ada@example.org")[0],
        "notes": False,
        "created_at": None,
    }
    [campaign] = data["campaigns"]
    assert campaign["campaign"] == "snoopers"
    assert [(x["channel"], x["clicks"], x["unique_clicks"]) for x in campaign["links"]] == [
        ("facebook", 0, 0),
        ("link", 1, 1),
    ]
    assert campaign["links"][1]["url"] == f"https://st.example/s/{token_of(app, ids['link'])}"


@BOTH_ENGINES
def test_erasing_forgets_the_person_and_keeps_the_shares(app, client, promoter, visit, engine_name):
    code, path = promoter
    ids = shares_of(app, code)
    visit(token_of(app, ids["facebook"]), ip="203.0.113.1")
    page = client.get(f"{path}/erase")
    assert page.status_code == 200
    assert '<label for="confirm">' in page.text

    unticked = client.post(f"{path}/erase", data={})
    assert unticked.status_code == 422
    assert errors_in(unticked.text) == {"confirm": "Tick this box to erase your data."}
    assert shares_of(app, code)  # nothing happened

    erased = client.post(f"{path}/erase", data={"confirm": "y"})
    assert erased.status_code == 303
    assert erased.headers["Location"] == "/p/erased"
    assert "Your data is erased" in client.get("/p/erased").text
    assert client.get(path).status_code == 404
    assert client.get(f"{path}/export.json").status_code == 404
    with app.app_context():
        assert links.promoter_by_code(db.session, code) is None
        [person] = db.session.scalars(sa.select(Promoter)).all()
        assert (person.display_name, person.email, person.email_hash) == (None, None, None)
        shares = db.session.scalars(sa.select(Share).order_by(Share.id)).all()
        assert [(s.id, s.promoter_id) for s in shares] == [(i, person.id) for i in ids.values()]
    # The links already out there keep working and counting.
    visit(token_of(app, ids["facebook"]), ip="203.0.113.2")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Click.id))) == 2


def test_erasing_needs_the_private_key_not_a_form_token(app, client, promoter):
    """The key in the address is the secret (ADR 0402): the public code, or the key with one
    character of its signature changed, erases nothing."""
    code, path = promoter
    key = path.removeprefix("/p/")
    at = key.index(".") + 1  # the signature's first character (all six of its bits count)
    altered = key[:at] + ("A" if key[at] != "A" else "B") + key[at + 1 :]
    for guess in (code, altered):
        response = client.post(f"/p/{guess}/erase", data={"confirm": "y"})
        assert response.status_code == 404
    with app.app_context():
        assert links.promoter_by_code(db.session, code).email_hash is not None


def test_a_promoter_without_links_gets_a_page(app, client):
    with app.app_context():
        person = links.create_promoter(db.session)
        db.session.commit()
        key = identity.private_key(services(app).tokens, person)
        db.session.commit()
    page = client.get(f"/p/{key}")
    assert page.status_code == 200
    assert "You have no links yet." in page.text


def test_the_dashboard_url_from_sharing_opens_the_page(client, make_campaign):
    campaign = make_campaign(title="Stop the Snoopers")
    made = client.post("/api/v1/shares", json={"campaign": campaign.slug, "channel": "whatsapp"})
    assert made.status_code == 201
    page = client.get(urlsplit(made.json["dashboard_url"]).path)
    assert page.status_code == 200
    assert f'value="{made.json["url"]}"' in page.text
    assert "Share on WhatsApp" in page.text


def page_text(client, path: str) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", client.get(path).text)).split())


def test_the_page_lists_exactly_what_is_stored(client, promoter):
    text = page_text(client, promoter[1])
    assert (
        "This is everything we store about you: your name, “Ada”; "
        "your email address, kept only as a keyed hash:" in text
    )
    assert "your links, and how many visits and pledges each one brought." in text
    assert "Erase your name and email…" in text


@pytest.mark.parametrize(
    ("name", "stored", "erase"),
    [("Ada", "your name, “Ada”;", "Erase your name…"), (None, None, None)],
)
def test_the_page_offers_erasure_only_when_something_is_stored(app, client, name, stored, erase):
    with app.app_context():
        person = links.create_promoter(db.session, display_name=name)
        db.session.commit()
        key = identity.private_key(services(app).tokens, person)
        db.session.commit()
    text = page_text(client, f"/p/{key}")
    assert (
        "email" not in text.split("This is everything we store about you:")[1].split("Download")[0]
    )
    if stored:
        assert stored in text and erase in text
    else:
        assert "your name" not in text and "Erase" not in text
