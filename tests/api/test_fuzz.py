"""No request of any shape produces a 500 (property test over bodies, paths and headers)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = [
    "slug",
    "title",
    "landing_url",
    "currency",
    "target_minor",
    "window_days",
    "status",
    "campaign",
    "channel",
    "promoter",
    "parent",
]
likely_bodies = st.dictionaries(st.sampled_from(field_names), json_values, max_size=8)
bodies = st.one_of(likely_bodies, json_values)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    body=bodies,
    method=st.sampled_from(["POST", "PATCH", "PUT", "GET"]),
    path=st.sampled_from(
        ["/api/v1/campaigns", "/api/v1/campaigns/case", "/api/v1/shares", "/api/v1/campaigns/%00"]
    ),
)
def test_api_never_answers_5xx(client, auth, make_campaign_once, body, method, path):
    response = client.open(
        path, method=method, headers=auth, data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code < 500, response.data
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


@FUZZ
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/json; charset=latin-1", ""]
    ),
)
def test_raw_bytes_never_answer_5xx(client, auth, raw, content_type):
    for path in ("/api/v1/campaigns", "/api/v1/shares"):
        response = client.post(path, headers=auth, data=raw, content_type=content_type)
        assert response.status_code < 500


@FUZZ
@given(
    token=st.text(max_size=40),
    upper=st.booleans(),
    query=st.text(max_size=40),
    ua=st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60),
)
def test_redirect_never_answers_5xx(client, token, upper, query, ua):
    from urllib.parse import quote

    path = ("/S/" if upper else "/s/") + quote(token, safe="") + "?" + quote(query, safe="=&")
    headers = {"User-Agent": ua, "Sec-GPC": "1" if upper else "0"}
    response = client.get(path, headers=headers)
    assert response.status_code in (302, 404, 308)
