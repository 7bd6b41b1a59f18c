"""An anonymous flood of the hosted pledge form moves no public or staff figure, and gets 429."""

from __future__ import annotations

import pytest

from sharetrack.extensions import db
from sharetrack.models import Promoter
from sharetrack.promoters import identity
from sharetrack.services import services
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN
from tests.pledges.test_page import arrive, open_page


@pytest.fixture
def app_config(app_config) -> dict:
    """Share-value figures recomputed as soon as the data changes, so a moved figure shows."""
    return {**app_config, "SHARE_VALUE_REFRESH_SECONDS": 0}


def figures(client, auth, campaign, promoter_page: str) -> dict:
    """Every figure money could move: report, share value, leaflets, public and promoter pages."""
    report = client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=auth).json
    totals = {
        k: v
        for k, v in report["totals"].items()
        if k not in ("unconfirmed_minor", "unconfirmed_pledges")
    }
    page = open_page(client, campaign)
    return {
        "totals": totals,
        "channels": report["channels"],
        "promoters": report["promoters"],
        "daily": [{k: v for k, v in day.items() if k != "clicks"} for day in report["daily"]],
        "share_value": client.get(f"/api/v1/campaigns/{campaign.slug}/share-value").json,
        "leaflets": client.get(f"/api/v1/campaigns/{campaign.slug}/leaflets", headers=auth).json,
        "public": page[page.index('<section class="progress"') : page.index("</section>")],
        "promoter": client.get(promoter_page).text.split("<main", 1)[1],
    }


@BOTH_ENGINES
def test_the_flood_changes_no_figure_and_gets_429(
    app, client, auth, make_campaign, make_share, deliver, pledge_body, engine_name
):
    campaign = make_campaign(pledge_page=True, target_minor=500_000)
    share, token = make_share(campaign, channel="facebook")
    leaflet = client.post(
        f"/api/v1/campaigns/{campaign.slug}/leaflets",
        headers=auth,
        json={"label": "A", "printed": 9},
    )
    assert leaflet.status_code == 201
    # Real money first, so the figures are not all zero.
    assert (
        deliver(pledge_body(campaign, ref=token, amount_minor=5_000, status="paid")).status_code
        == 201
    )
    promoter_page = f"/p/{_promoter_key(app, share)}"
    ref = arrive(client, token)
    arrive(client, leaflet.json["token"])
    before = figures(client, auth, campaign, promoter_page)
    open_page(client, campaign, ref)
    statuses = [
        client.post(
            f"/c/{campaign.slug}/pledge",
            data={"amount": amount, "ref": ref},
            headers=SAME_ORIGIN,
        ).status_code
        for amount in ["100000000"] + ["10000"] * 20
    ]
    # Over the campaign's largest pledge: refused beside the field; then ten taken, unconfirmed.
    assert statuses == [422] + [303] * 9 + [429] * 11
    after = figures(client, auth, campaign, promoter_page)
    assert after == before
    report = client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=auth).json
    assert (report["totals"]["unconfirmed_pledges"], report["totals"]["unconfirmed_minor"]) == (
        9,
        9 * 1_000_000,
    )
    assert before["totals"]["raised_minor"] == 5_000


def _promoter_key(app, share) -> str:
    """The private key of the share's promoter (the secret in their page's address)."""
    with app.app_context():
        key = identity.private_key(
            services(app).tokens, db.session.get(Promoter, share.promoter_id)
        )
        db.session.commit()
        return key
