"""The middleware in front of Flask takes exactly the paths Flask sends to the redirect's views.

Both read links/paths.py's rules; these tests check the middleware's match against the app's
real URL map (werkzeug's matcher) over generated paths, so the two cannot drift apart.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from sharetrack.links import paths
from sharetrack.links.middleware import RedirectMiddleware
from sharetrack.signing import MAX_TYPED_TOKEN_LENGTH

VIEWS = {"links.follow": False, "links.follow_scan": True}
PREFIXES = ["/s/", "/S/", "/s", "/S", "//s/", "///S/", "/s//", "/ s/", "/c/", "/", "", "/api/v1/s/"]
SUFFIXES = ["", "/", "/q", "/Q", "/q/", "/Q/", "//q", "/qq", "/x", "\n", "/q\n", "?q", "/./q"]
TOKEN_CHARS = st.sampled_from(list("aZ09-_.~:;%+ /?#Qq\n\té€"))
# What people type from a printed link: any case, spaces, dots, O for 0, and so on.
TYPED = ["AbC-123.xYz", "abc 123", "ABC.DEF.", "0O1lI", ".", "..", "%2F", "a%2Fb"]


def flask_route(adapter, path: str) -> tuple[str, bool] | None:
    """(token, scan) when Flask's URL map sends `path` to a redirect view, else None."""
    try:
        endpoint, arguments = adapter.match(path, method="GET")
    except (RequestRedirect, HTTPException):  # a 308 to another spelling, a 404, a 405
        return None
    if endpoint not in VIEWS:
        return None
    return arguments["token"], VIEWS[endpoint]


@pytest.fixture
def url_map(app):
    return app.url_map.bind("localhost")


def test_the_flask_views_are_registered_from_the_shared_rules(app):
    registered = {
        (rule.rule, rule.endpoint) for rule in app.url_map.iter_rules() if rule.endpoint in VIEWS
    }
    expected = {(rule, "links." + paths.endpoint(scan)) for rule, scan in paths.RULES}
    assert registered == expected
    assert isinstance(app.wsgi_app, RedirectMiddleware)  # the middleware is in front


def test_middleware_and_flask_agree_on_every_edge_case(url_map):
    edge_cases = [
        f"{prefix}{token}{suffix}"
        for prefix in PREFIXES
        for token in [*TYPED, "x" * (MAX_TYPED_TOKEN_LENGTH + 1), "x" * 10_000, ""]
        for suffix in SUFFIXES
    ]
    taken = [path for path in edge_cases if paths.match(path) is not None]
    assert len(taken) > 50  # the cases reach the rules, not only their neighbours
    disagreements = [path for path in edge_cases if paths.match(path) != flask_route(url_map, path)]
    assert disagreements == []


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(
    prefix=st.sampled_from(PREFIXES) | st.text(max_size=4),
    token=st.text(TOKEN_CHARS, max_size=60) | st.text(max_size=60),
    suffix=st.sampled_from(SUFFIXES) | st.text(max_size=3),
)
@example(prefix="/S/", token="A" * 2000, suffix="/Q")
def test_middleware_and_flask_agree_on_generated_paths(url_map, prefix, token, suffix):
    path = prefix + token + suffix
    assert paths.match(path) == flask_route(url_map, path)


def test_every_rule_is_taken_with_its_token_and_scan_flag(url_map):
    for rule, scan in paths.RULES:
        path = rule.replace("<token>", "Tok-1.x")
        assert paths.match(path) == ("Tok-1.x", scan) == flask_route(url_map, path)
