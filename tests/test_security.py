"""Security headers: one policy on every response, framing by one origin only when a view asks."""

from __future__ import annotations

import re

import pytest
from flask import request
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import Rule

from sharetrack import security
from sharetrack.config import MIN_ARGON2_MEMORY_KIB

ORIGIN = re.compile(r"^https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$")


def directives(response) -> dict[str, str]:
    """The response's CSP as {directive: sources}."""
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def assert_policy(response, frame_ancestors="'none'"):
    csp = directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == frame_ancestors
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def example_path(rule: Rule) -> str:
    """A concrete path for a rule: every argument filled with a harmless value."""
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "x", rule.rule)


def test_every_route_answers_with_the_policy(app, client):
    """Whatever a route answers (page, JSON, redirect, error), the headers are there."""
    rules = [r for r in app.url_map.iter_rules() if not r.rule.startswith("/_test")]
    assert len(rules) >= 8
    for rule in rules:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(example_path(rule), method=method)
            assert_policy(response)
            assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
            assert response.headers["X-Frame-Options"] == "DENY", (rule.rule, method)


def test_html_page_and_json_carry_the_policy(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert_policy(page)
    assert directives(page) == {
        "default-src": "'self'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
    }
    api = client.get("/api/v1/campaigns")
    assert api.status_code == 401 and api.mimetype == "application/problem+json"
    assert_policy(api)


def test_the_redirect_keeps_no_referrer(client, make_share):
    _, token = make_share()
    response = client.get(f"/s/{token}")
    assert response.status_code == 302
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert_policy(response)


@pytest.fixture
def embed_route(app):
    """A test-only view that lets the origin of ?landing= frame it, as the embed page will."""

    def embedded():
        allowed = security.allow_framing_by(request.args.get("landing", ""))
        return {"allowed": allowed}

    app.add_url_rule("/_test/embed", "test_embed", embedded)
    return "/_test/embed"


def test_a_view_can_let_one_origin_frame_it(client, embed_route):
    response = client.get(embed_route, query_string={"landing": "https://Case.Example/pledge?x=1"})
    assert response.json == {"allowed": True}
    assert_policy(response, frame_ancestors="https://case.example")
    assert "X-Frame-Options" not in response.headers
    # The next response is back to the default: the allowance was for that response only.
    assert_policy(client.get("/no-such-page"))


@pytest.mark.parametrize(
    "landing",
    ["", "javascript:alert(1)", "https://", "data:text/html,x", "https://a.example;script-src *"],
)
def test_a_url_without_a_usable_origin_leaves_framing_refused(client, embed_route, landing):
    response = client.get(embed_route, query_string={"landing": landing})
    assert response.json == {"allowed": False}
    assert_policy(response)
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://case.example/pledge?lang=en", "https://case.example"),
        ("http://case.example:8080/", "http://case.example:8080"),
        ("https://case.example:443/x", "https://case.example"),
        ("https://bücher.example/", "https://xn--bcher-kva.example"),
        ("ftp://case.example/", None),
        ("https://[2001:db8::1]/", None),
        ("https://case.example:99999/", None),
        ("https://*.example/", None),
    ],
)
def test_origin_of(url, origin):
    assert security.origin_of(url) == origin


@given(st.text())
def test_origin_of_never_yields_anything_but_an_origin(url):
    origin = security.origin_of(url)
    assert origin is None or ORIGIN.match(origin)


@given(
    st.from_regex(
        r"https?://[a-z0-9]{1,20}(\.[a-z]{2,6}){1,2}(:[1-9][0-9]{0,3})?/[ -~]*", fullmatch=True
    )
)
def test_origin_of_a_web_url_is_its_scheme_and_host(url):
    origin = security.origin_of(url)
    assert origin is not None and url.startswith(origin)


def test_hsts_is_off_in_tests(client):
    assert "Strict-Transport-Security" not in client.get("/no-such-page").headers


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, **getattr(request, "param", {})}


# Outside tests the app refuses the suite's cheap password costs: give it the least it allows.
PRODUCTION = {"TESTING": False, "ARGON2_MEMORY_COST": MIN_ARGON2_MEMORY_KIB}


@pytest.mark.parametrize(
    ("app_config", "expected"),
    [(PRODUCTION, "max-age=31536000"), (PRODUCTION | {"HSTS_SECONDS": 0}, None)],
    indirect=["app_config"],
)
def test_hsts_outside_debug_and_tests(app, expected):
    assert not app.testing and not app.debug
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.headers.get("Strict-Transport-Security") == expected


@pytest.mark.parametrize(
    "app_config", [PRODUCTION, PRODUCTION | {"HSTS_SECONDS": 0}, {}], indirect=True
)
def test_the_headers_built_once_are_what_apply_adds(app):
    """security.default_headers (the redirect's, built without a Response) is exactly what
    apply() adds to a response that sets nothing itself, HSTS included outside tests."""
    from werkzeug.wrappers import Response

    with app.test_request_context("/"):
        added = security.apply(Response()).headers
        expected = sorted((k, v) for k, v in added.items() if k != "Content-Type")
    assert sorted(security.default_headers(app)) == expected
    own = (("Referrer-Policy", "no-referrer"),)
    assert ("Referrer-Policy", "strict-origin-when-cross-origin") not in security.default_headers(
        app, skip=own
    )
    assert len(security.default_headers(app, skip=own)) == len(expected) - 1
