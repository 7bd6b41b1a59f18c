"""The link loop: campaign → share → visits, counted honestly, on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Click, DailySalt
from sharetrack.services import services
from sharetrack.tracking.visitors import browser, visitor_hash
from tests.conftest import BOTH_ENGINES

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
FACEBOOK_PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"


def clicks(app) -> list[Click]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Click).order_by(Click.id)))


def firsts(app) -> list[bool]:
    """Per stored click, whether it was a visitor's first of the day on its share: derived from
    the hashes as the fold and the reports derive it (distinct hashes per share and day)."""
    seen, out = set(), []
    for c in clicks(app):
        key = (c.share_id, c.day, c.visitor_hash)
        out.append(not c.is_bot and c.visitor_hash is not None and key not in seen)
        seen.add(key)
    return out


def visit(client, path, *, ua=BROWSER, ip="203.0.113.7", method="GET", **headers):
    return client.open(
        path,
        method=method,
        headers={"User-Agent": ua, **headers},
        environ_base={"REMOTE_ADDR": ip},
    )


@BOTH_ENGINES
def test_the_whole_loop(app, client, auth, engine_name):
    created = client.post(
        "/api/v1/campaigns",
        headers=auth,
        json={
            "slug": "snoopers",
            "title": "Stop the Snoopers",
            "target_minor": 1_000_000,
            "landing_url": "https://case.example/pledge?lang=en",
        },
    )
    assert created.status_code == 201, created.json
    share = client.post("/api/v1/shares", json={"campaign": "snoopers", "channel": "facebook"})
    assert share.status_code == 201
    link = urlsplit(share.json["url"]).path

    first = visit(client, link)
    assert first.status_code == 302
    destination = urlsplit(first.headers["Location"])
    assert (destination.scheme, destination.netloc, destination.path) == (
        "https",
        "case.example",
        "/pledge",
    )
    assert parse_qs(destination.query) == {
        "lang": ["en"],
        "utm_source": ["facebook"],
        "utm_medium": ["social"],
        "utm_campaign": ["snoopers"],
        "utm_content": [share.json["promoter"]],
        "ref": [share.json["token"]],
    }
    assert first.headers["Referrer-Policy"] == "no-referrer"

    assert visit(client, link).status_code == 302  # same person, same day
    assert visit(client, link, ip="198.51.100.9").status_code == 302  # another person
    assert visit(client, link, ua=FACEBOOK_PREVIEW).status_code == 302
    assert visit(client, link, method="HEAD").status_code == 302
    assert visit(client, link.upper().replace("/S/", "/S/")).status_code == 302

    stored = list(zip(firsts(app), [c.is_bot for c in clicks(app)], strict=True))
    assert stored == [
        (True, False),
        (False, False),
        (True, False),
        (False, True),
        (False, True),
        (False, False),
    ]


@BOTH_ENGINES
def test_uppercase_link_redirects_like_lowercase(app, client, make_share, engine_name):
    _, token = make_share()
    lower = visit(client, f"/s/{token}")
    upper = visit(client, f"/S/{token.upper()}", ip="198.51.100.1")
    assert upper.status_code == lower.status_code == 302
    assert upper.headers["Location"] == lower.headers["Location"]
    assert len(clicks(app)) == 2


def test_a_link_typed_with_o_for_zero_and_l_for_one_still_counts(app, client, make_share):
    """Crockford's base32 reads o as 0 and i, l as 1: a leaflet's link survives being typed."""
    token = next(t for _, t in (make_share() for _ in range(40)) if {"0", "1"} & set(t))
    typed = token.replace("0", "O").replace("1", "l")
    exact, misread = visit(client, f"/s/{token}"), visit(client, f"/s/{typed}", ip="198.51.100.1")
    assert misread.status_code == exact.status_code == 302
    assert misread.headers["Location"] == exact.headers["Location"]  # ref= the issued token
    assert f"ref={token}" in exact.headers["Location"]
    assert len(clicks(app)) == 2


@pytest.mark.parametrize(
    "headers", [{"Purpose": "prefetch"}, {"Sec-Purpose": "prefetch;prerender"}]
)
def test_prefetch_is_redirected_but_stored_as_bot(app, client, make_share, headers):
    _, token = make_share()
    response = visit(client, f"/s/{token}", **headers)
    assert response.status_code == 302
    assert [c.is_bot for c in clicks(app)] == [True] and firsts(app) == [False]
    assert clicks(app)[0].visitor_hash is None
    assert "st_touch" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("headers", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_privacy_signal_counts_click_without_cookie_or_hash(app, client, make_share, headers):
    share, token = make_share()
    response = visit(client, f"/s/{token}", **headers)
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers
    assert visit(client, f"/s/{token}", **headers).status_code == 302  # the same visitor
    assert [c.is_bot for c in clicks(app)] == [False, False]
    assert firsts(app) == [True, True]  # no hash to know them by: each counts as a first visit
    stored = {c.visitor_hash for c in clicks(app)}
    visit(client, f"/s/{token}", ip="198.51.100.1")  # someone else: the day's salt is made
    with app.app_context():
        salt = db.session.scalar(sa.select(DailySalt.salt))
    assert visitor_hash(salt, browser("203.0.113.7", BROWSER), share.id) not in stored


def test_click_stores_no_ip_or_user_agent(app, client, make_share):
    _, token = make_share()
    visit(client, f"/s/{token}", ip="192.0.2.55", Referer="https://www.facebook.com/some/post?id=1")
    with app.app_context():
        dump = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                dump.extend(str(v) for v in row)
    text = " ".join(dump)
    assert "192.0.2.55" not in text
    assert "Chrome" not in text and "Mozilla" not in text
    assert "some/post" not in text
    assert clicks(app)[0].referrer_host == "www.facebook.com"


def test_visitor_hash_changes_with_the_daily_salt(app, client, make_share):
    _, token = make_share()
    visit(client, f"/s/{token}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DailySalt)) == 1
        # A new day's salt (simulated by replacing it) makes yesterday's visitor new again.
        db.session.execute(sa.update(DailySalt).values(salt=bytes(32)))
        db.session.commit()
    services(app).salts.clear()
    visit(client, f"/s/{token}")
    visit(client, f"/s/{token}")
    assert firsts(app) == [True, True, False]


def test_touch_cookie_remembers_recent_arrivals(app, client, make_share):
    share_a, token_a = make_share()
    share_b, token_b = make_share()
    visit(client, f"/s/{token_a}")
    visit(client, f"/s/{token_b}")
    from sharetrack.tracking import touches

    cookie = client.get_cookie("st_touch")
    assert cookie is not None and cookie.http_only
    import time

    kept = touches.decode(services(app).tokens.touch_cookie, cookie.value, int(time.time()))
    assert [t.share_id for t in kept] == [share_a.id, share_b.id]
    assert all(t.window_days == 30 for t in kept)


@BOTH_ENGINES
@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # altered signature
        lambda t: ("2" if t[0] != "2" else "3") + t[1:],  # altered share id
        lambda t: t.split(".")[0],  # signature removed
        lambda t: "1.aaaaaaaaaaaaaaaa",  # forged
        lambda t: t + "0",  # too long
        lambda t: "ż" + t,  # not ascii
    ],
)
def test_forged_tokens_are_refused_before_any_query(
    app, client, make_share, query_counter, mangle, engine_name
):
    _, token = make_share()
    query_counter.clear()
    response = visit(client, f"/s/{mangle(token)}")
    assert response.status_code == 404
    assert b"Not found" in response.data
    assert query_counter == []
    assert clicks(app) == []


def test_token_signed_for_another_purpose_is_refused(app, client, make_share, query_counter):
    share, _ = make_share()
    tokens = services(app).tokens
    # Same payload, dashboard salt: must not open the link.
    from sharetrack.signing import ShortSigner, b32encode_int

    other = ShortSigner([app.config["SECRET_KEY"]], "sharetrack.promoter-dashboard")
    wrong_salt = other.sign(b32encode_int(share.id)).decode()
    query_counter.clear()
    assert visit(client, f"/s/{wrong_salt}").status_code == 404
    assert query_counter == []
    assert tokens.share_id(wrong_salt) is None


@pytest.mark.parametrize(
    "suffix",
    [
        "?next=https://evil.example",
        "?url=//evil.example&ref=x&utm_source=evil",
        "/..%2f..%2fevil.example",
        "%2F%2Fevil.example",
        "?landing_url=https://evil.example",
    ],
)
def test_request_cannot_change_the_destination(app, client, make_share, suffix):
    _, token = make_share()
    good = visit(client, f"/s/{token}").headers["Location"]
    response = visit(client, f"/s/{token}{suffix}")
    if response.status_code == 302:
        assert response.headers["Location"] == good
    else:
        assert response.status_code == 404
    assert "evil" not in response.headers.get("Location", "")


def test_unknown_share_with_valid_signature_is_404(app, client):
    token = services(app).tokens.share_token(999_999)
    assert visit(client, f"/s/{token}").status_code == 404
    assert clicks(app) == []


@pytest.fixture
def app_config(app_config, request):
    """Allow a test to add settings with indirect parametrisation."""
    return {**app_config, **getattr(request, "param", {})}


@pytest.mark.parametrize(
    ("app_config", "expected"),
    [({"TRUSTED_PROXIES": 1}, [True, True]), ({"TRUSTED_PROXIES": 0}, [True, False])],
    indirect=["app_config"],
)
def test_forwarded_for_is_trusted_only_as_configured(app, client, make_share, expected):
    _, token = make_share()
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        visit(client, f"/s/{token}", ip="10.0.0.1", **{"X-Forwarded-For": forwarded})
    assert firsts(app) == expected
