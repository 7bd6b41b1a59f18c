"""The scan marker: /S/<TOKEN>/Q redirects like the link and records the click as a scan."""

from __future__ import annotations

import pytest

from tests.conftest import BOTH_ENGINES
from tests.links.test_redirect import clicks, firsts

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126 Mobile"


def stored(app):
    """(scan, first visit of the day, machine) per stored click."""
    return [(c.is_scan, first, c.is_bot) for c, first in zip(clicks(app), firsts(app), strict=True)]


@BOTH_ENGINES
def test_scan_path_redirects_like_the_link_and_is_flagged(app, client, make_share, engine_name):
    _, token = make_share(channel="leaflet")
    headers = {"User-Agent": PHONE}
    typed = client.get(f"/s/{token}", headers=headers)
    scanned = client.get(f"/S/{token.upper()}/Q", headers=headers)
    lower = client.get(f"/s/{token}/q", headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert typed.status_code == scanned.status_code == lower.status_code == 302
    assert scanned.headers["Location"] == typed.headers["Location"] == lower.headers["Location"]
    assert scanned.headers["Cache-Control"] == "private, no-store"
    assert stored(app) == [(False, True, False), (True, False, False), (True, True, False)]


def test_a_scan_sets_the_touch_cookie_like_any_visit(client, make_share):
    _, token = make_share(channel="leaflet")
    client.get(f"/S/{token.upper()}/Q", headers={"User-Agent": PHONE})
    assert client.get_cookie("st_touch") is not None


@pytest.mark.parametrize("path", ["/S/{T}/q", "/s/{t}/Q", "/S/{T}/QQ", "/S/{T}/Q/", "/S/{T}/X"])
def test_other_suffixes_are_not_links(app, client, make_share, path):
    _, token = make_share(channel="leaflet")
    response = client.get(path.format(T=token.upper(), t=token), headers={"User-Agent": PHONE})
    assert response.status_code == 404
    assert stored(app) == []


def test_forged_scan_is_404_and_not_recorded(app, client, make_share, query_counter):
    _, token = make_share(channel="leaflet")
    query_counter.clear()
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(f"/S/{forged.upper()}/Q").status_code == 404
    assert query_counter == []
    assert stored(app) == []
