"""What every page shares: the favicon from our own origin, error pages with a way home, and
no cookie for anyone who is not staff."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sharetrack.extensions import db
from sharetrack.models import Promoter
from sharetrack.promoters import identity
from sharetrack.services import services


def test_the_favicon_is_served_from_our_origin(client):
    with client.get("/favicon.ico") as response, client.get("/static/favicon.ico") as static:
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "ICO" and (32, 32) in image.info["sizes"]
        assert static.data == response.data  # the file <link rel=icon> names
    assert '<link rel="icon" href="/static/favicon.ico"' in client.get("/staff/login").text


def test_error_pages_link_home_but_the_public_404_has_no_staff_link(client, make_campaign):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert 'href="/"' not in missing.text  # "/" is the staff sign-in (issue 22)
    refused = client.get(f"/embed/{make_campaign().slug}?channels=myspace")
    assert refused.status_code == 422
    assert '<a href="/">Go to the sharetrack home page</a>' in refused.text


@pytest.mark.parametrize("privacy", [{}, {"Sec-GPC": "1"}])
def test_no_public_page_sets_a_cookie(app, client, make_campaign, make_share, privacy):
    """Visitors and promoters get no session cookie from any page they can open (ADR 0402);
    the only cookies they can get are the touch and promoter cookies, set by the redirect and
    the share buttons, and neither under GPC."""
    campaign = make_campaign(pledge_page=True)
    share, token = make_share(campaign)
    with app.app_context():
        key = identity.private_key(
            services(app).tokens, db.session.get(Promoter, share.promoter_id)
        )
    paths = [
        f"/c/{campaign.slug}",
        f"/c/{campaign.slug}?ref={token}",
        f"/c/{campaign.slug}?notice=pledged",
        f"/c/{campaign.slug}/card.png",
        f"/embed/{campaign.slug}",
        f"/p/{key}",
        f"/p/{key}/erase",
        f"/p/{key}/export.json",
        "/p/erased",
        "/p/recover",
        "/p/no-such-key",
        "/c/no-such-campaign",
        "/healthz",
    ]
    answers = {path: client.get(path, headers=privacy) for path in paths}
    assert {p: a.status_code for p, a in answers.items() if a.status_code >= 400} == {
        "/p/no-such-key": 404,
        "/c/no-such-campaign": 404,
    }
    assert {
        p: a.headers.get("Set-Cookie") for p, a in answers.items() if "Set-Cookie" in a.headers
    } == {}
