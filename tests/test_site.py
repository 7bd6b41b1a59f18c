"""What every page shares: the favicon from our own origin, and error pages with a way home."""

from __future__ import annotations

import io

from PIL import Image


def test_the_favicon_is_served_from_our_origin(client):
    with client.get("/favicon.ico") as response, client.get("/static/favicon.ico") as static:
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "ICO" and (32, 32) in image.info["sizes"]
        assert static.data == response.data  # the file <link rel=icon> names
    assert '<link rel="icon" href="/static/favicon.ico"' in client.get("/staff/login").text


def test_error_pages_link_home(client, make_campaign):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert '<a href="/">Go to the sharetrack home page</a>' in missing.text
    refused = client.get(f"/embed/{make_campaign().slug}?channels=myspace")
    assert refused.status_code == 422
    assert '<a href="/">Go to the sharetrack home page</a>' in refused.text
