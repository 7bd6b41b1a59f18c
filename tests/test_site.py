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
from tests.staff_fixtures import *  # noqa: F403 - staff page fixtures


def test_the_favicon_is_served_from_our_origin(client):
    with client.get("/favicon.ico") as response, client.get("/static/favicon.ico") as static:
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "ICO" and (32, 32) in image.info["sizes"]
        assert static.data == response.data  # the file <link rel=icon> names
    assert '<link rel="icon" href="/static/favicon.ico"' in client.get("/staff/login").text


def test_the_public_404_offers_no_staff_link(client):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Not found" in missing.text
    # "/" is the staff home (the sign-in page for the public): not a place to send them.
    assert 'href="/"' not in missing.text and "/staff" not in missing.text


def title_of(page: str) -> str:
    return page.split("<title>", 1)[1].split("</title>", 1)[0]


def test_staff_error_pages_link_to_the_staff_home(viewer, make_campaign):
    make_campaign(slug="case")
    refused = viewer.get("/staff/campaigns/case/experiments/new")
    assert refused.status_code == 403
    assert '<a href="/staff/">Go to the sharetrack home page</a>' in refused.text
    assert title_of(refused.text) == "Admins only · sharetrack"


def test_public_error_pages_lead_back_to_the_campaign_never_to_staff(client, make_campaign):
    make_campaign(slug="hosted", title="Stop the Snoopers", pledge_page=True)
    # A share form posted from another site: refused, with the campaign named.
    refused = client.post("/c/hosted/share", data={"channel": "x"})
    assert refused.status_code == 403
    assert title_of(refused.text) == "Forbidden · Stop the Snoopers"
    assert '<a href="/c/hosted">Back to Stop the Snoopers</a>' in refused.text
    assert 'href="/"' not in refused.text and "/staff" not in refused.text
    # Inside the embed box (the organiser's own page around it): the campaign, and no link.
    boxed = client.get("/embed/hosted?channels=myspace")
    assert boxed.status_code == 422
    assert title_of(boxed.text) == "Unknown channel · Stop the Snoopers"
    assert "<a href" not in boxed.text.split("<main", 1)[1] and "/staff" not in boxed.text


def test_a_public_error_page_without_a_campaign_links_nowhere(client, make_share):
    share, _ = make_share()
    with client.application.app_context():
        key = identity.private_key(
            services(client.application).tokens, db.session.get(Promoter, share.promoter_id)
        )
    no_mail = client.post(f"/p/{key}/email", data={"address": "ada@example.org"},
                          headers={"Sec-Fetch-Site": "same-origin"})  # fmt: skip
    assert no_mail.status_code == 503  # no mail server in tests
    assert title_of(no_mail.text) == "No email"
    assert "<a href" not in no_mail.text.split("<main", 1)[1]


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


def test_public_pages_name_what_they_are_and_their_campaign_not_the_tool(
    app, client, make_campaign, make_share
):
    campaign = make_campaign(title="Stop the Snoopers", pledge_page=True)
    share, _ = make_share(campaign)
    with app.app_context():
        key = identity.private_key(
            services(app).tokens, db.session.get(Promoter, share.promoter_id)
        )
    same_site = {"Sec-Fetch-Site": "same-origin"}
    pledged = client.post(f"/c/{campaign.slug}/pledge", data={"amount": "12"}, headers=same_site)
    assert pledged.status_code == 303
    titles = {
        "hosted": client.get(f"/c/{campaign.slug}").text,
        "thanks": client.get(pledged.headers["Location"]).text,
        "link": client.post(
            f"/c/{campaign.slug}/share", data={"channel": "x"}, headers=same_site
        ).text,
        "embed": client.get(f"/embed/{campaign.slug}").text,
        "promoter": client.get(f"/p/{key}").text,
        "erase": client.get(f"/p/{key}/erase").text,
        "recover": client.get("/p/recover").text,
        "erased": client.get("/p/erased").text,
    }
    titles = {name: title_of(page) for name, page in titles.items()}
    assert titles == {
        "hosted": "Stop the Snoopers",
        "thanks": "Thank you · Stop the Snoopers",
        "link": "Your link · Stop the Snoopers",
        "embed": "Be a promoter · Stop the Snoopers",  # the organiser, were it another name
        "promoter": "Your shares · Stop the Snoopers",
        "erase": "Erase your data · Your shares",
        "recover": "Find your page · Your shares",
        "erased": "Your data is erased · Your shares",
    }
    make_share(make_campaign(title="Save the Park"), promoter_code=share_code(app, share))
    assert title_of(client.get(f"/p/{key}").text) == "Your shares in 2 campaigns"


def share_code(app, share) -> str:
    with app.app_context():
        return db.session.get(Promoter, share.promoter_id).code
