"""A promoter's public code proves nothing: the key, the cookie and the refusals (issue 10)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.models import Promoter, Share
from sharetrack.promoters import identity
from sharetrack.services import services
from sharetrack.signing import Tokens
from tests.conftest import BOTH_ENGINES


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count(Promoter.id))),
            db.session.scalar(sa.select(sa.func.count(Share.id))),
        )


def key_of(body: dict) -> str:
    return body["dashboard_url"].rsplit("/", 1)[1]


@pytest.fixture
def victim(app, client, make_campaign):
    """A promoter who shared campaign `case` from `client`; their API answer."""
    make_campaign(slug="case", title="Stop the Snoopers")
    made = client.post("/api/v1/shares", json={"campaign": "case", "channel": "facebook"})
    assert made.status_code == 201
    return made.json


@BOTH_ENGINES
def test_the_public_code_is_no_proof(app, victim, engine_name):
    attacker = app.test_client()
    before = counts(app)
    body = {"campaign": "case", "channel": "facebook", "promoter": victim["promoter"]}
    response = attacker.post("/api/v1/shares", json=body)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "promoter"
    assert "proves nothing" in response.json["errors"][0]["message"]
    assert "Set-Cookie" not in response.headers
    assert counts(app) == before
    # Nor does it open anything as a page address.
    assert attacker.get(f"/p/{victim['promoter']}").status_code == 404


def test_a_cookie_made_from_the_code_names_nobody(app, victim):
    tokens: Tokens = services(app).tokens
    forged = [
        victim["promoter"],
        tokens.promoter_cookie.dumps(victim["promoter"]),  # what the old API handed anyone
        key_of(victim),  # the key is not the cookie (another salt)
        tokens.promoter_browser(1, victim["promoter"]),  # signed over the code, not the secret
    ]
    for value in forged:
        attacker = app.test_client()
        attacker.set_cookie("st_promoter", value)
        made = attacker.post("/api/v1/shares", json={"campaign": "case", "channel": "facebook"})
        assert made.status_code == 201  # a new promoter's new link, never the victim's
        assert made.json["promoter"] != victim["promoter"]
        assert made.json["dashboard_url"] != victim["dashboard_url"]
    with app.app_context():
        victim_row = links.promoter_by_code(db.session, victim["promoter"])
        assert len(victim_row.shares) == 1


def test_the_cookie_value_does_not_open_the_page(app, client, victim):
    cookie = client.get_cookie("st_promoter").value
    assert cookie != key_of(victim)
    assert client.get(f"/p/{cookie}").status_code == 404
    assert client.get(f"/p/{key_of(victim)}").status_code == 200


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"promoter_key": "1.AAAA"}, "promoter_key"),
        ({"promoter_key": "nonsense"}, "promoter_key"),
        ({"promoter_key": "x" * 201}, "promoter_key"),
    ],
)
def test_malformed_keys_change_nothing(app, victim, extra, field):
    before = counts(app)
    body = {"campaign": "case", "channel": "x"} | extra
    response = app.test_client().post("/api/v1/shares", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json["errors"]]
    assert counts(app) == before


def test_a_wrong_key_and_a_tampered_key_are_refused(app, victim):
    key = key_of(victim)
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    for bad in (tampered, key.split(".")[0] + ".", "2" + key[1:]):
        body = {"campaign": "case", "channel": "x", "promoter_key": bad}
        response = app.test_client().post("/api/v1/shares", json=body)
        assert response.status_code == 422
        assert response.json["errors"][0]["field"] == "promoter_key"


def test_a_key_of_another_campaigns_promoter_is_refused(app, victim, make_campaign):
    make_campaign(slug="other")
    before = counts(app)
    body = {"campaign": "other", "channel": "x", "promoter_key": key_of(victim)}
    response = app.test_client().post("/api/v1/shares", json=body)
    assert response.status_code == 422
    assert "another campaign" in response.json["errors"][0]["message"]
    assert counts(app) == before


def test_an_email_without_a_mail_server_is_refused_and_changes_nothing(app, victim):
    before = counts(app)
    body = {"campaign": "case", "channel": "x", "email": "ada@example.org"}
    response = app.test_client().post("/api/v1/shares", json=body)
    assert response.status_code == 422  # the client's to fix: leave the address out
    assert response.json["errors"] == [
        {"field": "email", "message": "This service sends no email; leave the address out."}
    ]
    assert counts(app) == before
    recover = app.test_client().post("/api/v1/promoters/recover", json={"email": "a@b.org"})
    assert recover.status_code == 503
    assert recover.mimetype == "application/problem+json"
    page = app.test_client().get("/p/recover")
    assert 'name="email"' not in page.text and "sends no email" in page.text


@pytest.mark.parametrize("header", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_no_promoter_cookie_under_gpc_or_dnt(app, client, make_campaign, header):
    campaign = make_campaign(slug="case", pledge_page=True)
    made = client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"}, headers=header)
    assert made.status_code == 201
    assert "st_promoter" not in made.headers.get("Set-Cookie", "")
    embed = client.post(
        f"/embed/{campaign.slug}/share",
        data={"channel": "x"},
        headers=header | {"Sec-Fetch-Site": "same-origin"},
    )
    assert embed.status_code == 200
    assert "st_promoter" not in embed.headers.get("Set-Cookie", "")
    assert client.get_cookie("st_promoter") is None


@BOTH_ENGINES
def test_erasing_voids_the_key_and_the_cookie(app, client, victim, engine_name):
    key = key_of(victim)
    erased = client.post(f"/p/{key}/erase", data={"confirm": "y"})
    assert erased.status_code == 303
    assert client.get(f"/p/{key}").status_code == 404
    again = client.post("/api/v1/shares", json={"campaign": "case", "channel": "facebook"})
    assert again.status_code == 201  # the old cookie names nobody now: a new promoter
    assert again.json["promoter"] != victim["promoter"]
    refused = app.test_client().post(
        "/api/v1/shares", json={"campaign": "case", "channel": "x", "promoter_key": key}
    )
    assert refused.status_code == 422


def test_old_page_addresses_work_only_for_promoters_whose_code_never_went_out(app, client):
    tokens: Tokens = services(app).tokens
    with app.app_context():
        quiet = links.create_promoter(db.session)
        leaked = links.create_promoter(db.session)
        quiet.legacy_key, leaked.legacy_key = True, False  # as migration 0006 sets them
        db.session.commit()
        quiet_key = identity.private_key(tokens, quiet)
        quiet_code, leaked_code = quiet.code, leaked.code
    moved = client.get(f"/p/{tokens.dashboard.dumps(quiet_code)}")
    assert moved.status_code == 303
    assert moved.headers["Location"] == f"/p/{quiet_key}"
    assert client.get(f"/p/{tokens.dashboard.dumps(leaked_code)}").status_code == 404
    with app.app_context():
        assert identity.by_browser(db.session, tokens, tokens.promoter_cookie.dumps(quiet_code))
        assert not identity.by_browser(
            db.session, tokens, tokens.promoter_cookie.dumps(leaked_code)
        )


def test_keys_and_cookie_values_never_stand_in_for_each_other():
    tokens = Tokens("k1", ["k0"])
    key = tokens.promoter_key(42, "secret")
    browser = tokens.promoter_browser(42, "secret")
    assert tokens.promoter_key_ok(key, 42, "secret")
    assert tokens.promoter_browser_ok(browser, 42, "secret")
    assert not tokens.promoter_key_ok(browser, 42, "secret")
    assert not tokens.promoter_browser_ok(key, 42, "secret")
    assert not tokens.promoter_key_ok(key, 42, "another secret")
    assert not tokens.promoter_key_ok(key, 43, "secret")
    # Signed with an older key: still good after a rotation.
    assert Tokens("k2", ["k1"]).promoter_key_ok(key, 42, "secret")
    assert not Tokens("k2").promoter_key_ok(key, 42, "secret")
    for i in range(len(key)):
        for c in "0aA_-.":
            changed = key[:i] + c + key[i + 1 :]
            if changed != key:
                assert not tokens.promoter_key_ok(changed, 42, "secret"), changed
