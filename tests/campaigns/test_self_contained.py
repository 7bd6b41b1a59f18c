"""Every page loads only this origin's files and keeps style and script out of the HTML (CSP)."""

from __future__ import annotations

import re

from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.promoters import identity
from sharetrack.services import services


def pages(app, client, sign_in, make_campaign):
    campaign = make_campaign()
    with app.app_context():
        person = links.create_promoter(db.session)
        links.get_or_create_share(
            db.session, campaign=campaign, promoter=person, channel="x", parent_id=None
        )
        token = identity.private_key(services(app).tokens, person)
        db.session.commit()
    yield "/staff/login", client.get("/staff/login")
    yield f"/p/{token}", client.get(f"/p/{token}")
    yield "/p/erased", client.get("/p/erased")
    yield "erase", client.get(f"/p/{token}/erase")
    yield "/p/nope", client.get("/p/nope")
    sign_in("admin")
    for path in ("/staff/", "/staff/new", f"/staff/campaigns/{campaign.slug}", "/staff/x"):
        yield path, client.get(path)
    yield "edit", client.get(f"/staff/campaigns/{campaign.slug}/edit")


def test_pages_have_no_inline_style_or_script_and_load_nothing_from_elsewhere(
    app, client, sign_in, make_campaign
):
    seen = 0
    for path, response in pages(app, client, sign_in, make_campaign):
        html = response.text
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", html), path
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers
        loaded = re.findall(
            r"<(?:link|script|img|iframe|source)\b[^>]*\s(?:src|href)=\"([^\"]*)\"", html
        )
        assert loaded and all(url.startswith("/static/") for url in loaded), (path, loaded)
        seen += 1
    assert seen == 10
