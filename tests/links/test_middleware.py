"""The redirect in front of Flask (links/middleware.py) answers exactly as the Flask view does."""

from __future__ import annotations

import pytest

from sharetrack.links.middleware import RedirectMiddleware
from tests.conftest import BOTH_ENGINES
from tests.links.test_redirect import BROWSER, FACEBOOK_PREVIEW, clicks, visit

VARIANTS = [
    ("GET", "/s/{token}", {}),
    ("GET", "/S/{TOKEN}", {}),
    ("GET", "/s/{token}/q", {}),
    ("GET", "/S/{TOKEN}/Q", {}),
    ("HEAD", "/s/{token}", {}),
    ("GET", "/s/{token}", {"ua": FACEBOOK_PREVIEW}),
    ("GET", "/s/{token}", {"Sec-GPC": "1"}),
    ("GET", "/s/{token}", {"Sec-Purpose": "prefetch"}),
    ("GET", "/s/{token}", {"Referer": "https://news.example/story?id=7"}),
    ("GET", "/s/{forged}", {}),
    ("GET", "/s/1.0000000000000000", {}),
]


@pytest.fixture
def flask_hooks(app):
    """How many requests went through Flask's own request handling."""
    seen = []
    app.before_request(lambda: seen.append(1) and None)
    return seen


def without_middleware(app):
    assert isinstance(app.wsgi_app, RedirectMiddleware)
    return app.wsgi_app.wsgi_app


def comparable(response) -> dict:
    """Everything the visitor gets, with the touch cookie's time left out (it may tick).

    Flask's session machinery adds `Vary: Cookie` when something read the session; on a
    `private, no-store` redirect it changes nothing, and the middleware does not add it.
    """
    headers = sorted(
        (name, value.split("=", 1)[0] + "=…; " + value.split(";", 1)[1])
        if name == "Set-Cookie"
        else (name, value)
        for name, value in response.headers.items()
        if name != "Vary"
    )
    return {"status": response.status_code, "headers": headers, "body": response.data}


@BOTH_ENGINES
def test_every_kind_of_click_gets_the_flask_views_answer(app, client, make_share, flask_hooks):
    _, token = make_share()
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    client.get(f"/s/{forged}")  # Flask renders the 404 page once; the middleware reuses it
    del flask_hooks[:]
    for n, (method, path, headers) in enumerate(VARIANTS):
        path = path.format(token=token, TOKEN=token.upper(), forged=forged)
        fast = visit(
            client.application.test_client(), path, method=method, ip=f"192.0.2.{n}", **headers
        )
        assert flask_hooks == [], f"{method} {path} went through Flask"
        original, app.wsgi_app = app.wsgi_app, without_middleware(app)
        try:
            slow = visit(app.test_client(), path, method=method, ip=f"198.51.100.{n}", **headers)
        finally:
            app.wsgi_app = original
        assert flask_hooks, f"{method} {path} did not reach the Flask view"
        del flask_hooks[:]
        a, b = comparable(fast), comparable(slow)
        assert a["status"] == b["status"] and a["body"] == b["body"], (method, path)
        assert a["headers"] == b["headers"], (method, path, set(a["headers"]) ^ set(b["headers"]))
    stored = [(c.share_id, c.is_unique, c.is_bot, c.is_scan, c.referrer_host) for c in clicks(app)]
    assert len(stored) == 2 * 9  # every variant but the two 404s, once each way
    assert stored[0::2] == stored[1::2]


def test_other_paths_and_methods_go_to_flask(app, client, make_share, flask_hooks):
    _, token = make_share()
    for method, path in [
        ("POST", f"/s/{token}"),
        ("GET", f"/s/{token}/qr.svg"),
        ("GET", f"/s/{token}/Q"),  # lowercase prefix, uppercase suffix: no such route
        ("GET", f"/s/{token}/"),
        ("GET", "/c/demo"),
    ]:
        del flask_hooks[:]
        client.open(path, method=method, headers={"User-Agent": BROWSER})
        assert flask_hooks, f"{method} {path} was answered by the middleware"
    assert clicks(app) == []


def test_with_the_database_down_flask_answers_with_its_503_page(
    app, client, make_share, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    _, token = make_share()

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, ConnectionError("database is down"))

    monkeypatch.setattr("sharetrack.links.hotpath.Transaction.resolve", down)
    response = visit(client, f"/s/{token}")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "try again" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
