"""A batch's money: pledges credited to its link, and money per 100 leaflets printed."""

from __future__ import annotations

import datetime as dt

from tests.conftest import BOTH_ENGINES
from tests.pledges.conftest import OLD_SECRET, SECRET, iso, now


@BOTH_ENGINES
def test_batch_money_follows_the_campaigns_model(
    app, client, auth, make_batch, make_campaign, make_share, deliver, pledge_body, engine_name
):
    app.config.update(WEBHOOK_SECRET=SECRET, WEBHOOK_SECRETS=[OLD_SECRET])
    campaign = make_campaign(slug="snoopers")
    station = make_batch(campaign, label="Station", printed=300)
    market = make_batch(campaign, label="Market", printed=700)
    _, email_token = make_share(campaign, "email")
    scanned, mailed = now() - dt.timedelta(days=2), now() - dt.timedelta(days=1)
    touches = [
        {"token": station.token, "at": iso(scanned)},
        {"token": email_token, "at": iso(mailed)},
    ]
    assert deliver(pledge_body(campaign, amount_minor=3000, ref=touches)).status_code == 201
    assert deliver(pledge_body(campaign, amount_minor=1001, ref=market.token)).status_code == 201
    # A refunded pledge credits nothing.
    refunded = pledge_body(campaign, amount_minor=9999, ref=station.token, status="refunded")
    assert deliver(refunded).status_code == 201

    def money():
        rows = client.get("/api/v1/campaigns/snoopers/leaflets", headers=auth).json["leaflets"]
        return {
            r["label"]: (r["pledges"], r["attributed_minor"], r["per_100_printed_minor"])
            for r in rows
        }

    # Last click: the email took the first pledge; 1001 × 100 / 700 = 143.
    assert money() == {"Station": (0, 0, 0), "Market": (1, 1001, 143)}
    patched = client.patch(
        "/api/v1/campaigns/snoopers", headers=auth, json={"attribution_model": "first_click"}
    )
    assert patched.status_code == 200
    # First click: the station batch; 3000 × 100 / 300 = 1000.
    assert money() == {"Station": (1, 3000, 1000), "Market": (1, 1001, 143)}
