"""POST /api/v1/pledges: signed, idempotent, newest delivery wins, refunds lose credit."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Pledge, PledgeCredit, PledgeTouch
from tests.conftest import BOTH_ENGINES
from tests.pledges.conftest import OLD_SECRET, iso, now


def stored(app) -> list[Pledge]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Pledge).order_by(Pledge.id)))
        db.session.expunge_all()
        return rows


def credits(app, model="last_click") -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PledgeCredit.share_id, sa.func.sum(PledgeCredit.amount_minor))
            .where(PledgeCredit.model == model)
            .group_by(PledgeCredit.share_id)
        )
        return dict(rows.all())


def report(client, auth, campaign, **params):
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/report", headers=auth, query_string=params
    )
    assert response.status_code == 200, response.json
    return response.json


@BOTH_ENGINES
def test_a_signed_pledge_credits_the_share(
    app, client, auth, make_campaign, make_share, pledge_body, deliver, engine_name
):
    campaign = make_campaign()
    share, token = make_share(campaign, channel="whatsapp")
    response = deliver(pledge_body(campaign, ref=token, amount_minor=4200))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pledged"
    assert response.json["credits"] == [
        {"token": token, "channel": "whatsapp", "amount_minor": 4200}
    ]
    assert credits(app) == {share.id: 4200}
    totals = report(client, auth, campaign)["totals"]
    assert (totals["raised_minor"], totals["attributed_minor"], totals["pledges"]) == (
        4200,
    ) * 2 + (1,)


@pytest.fixture
def campaign_and_share(make_campaign, make_share):
    campaign = make_campaign()
    share, token = make_share(campaign=campaign)
    return campaign, share, token


@BOTH_ENGINES
def test_a_duplicate_delivery_counts_once(
    app, client, auth, campaign_and_share, pledge_body, deliver, engine_name
):
    campaign, share, token = campaign_and_share
    body = pledge_body(campaign, ref=token)
    first, again = deliver(body), deliver(body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert len(stored(app)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PledgeTouch)) == 1
    assert report(client, auth, campaign)["totals"]["raised_minor"] == 2500


@BOTH_ENGINES
def test_a_newer_delivery_updates_and_a_late_older_one_changes_nothing(
    app, client, auth, campaign_and_share, pledge_body, deliver, engine_name
):
    campaign, share, token = campaign_and_share
    t0 = now() - dt.timedelta(hours=3)
    pledged = pledge_body(campaign, ref=token, occurred_at=iso(t0))
    paid = pledged | {"status": "paid", "occurred_at": iso(t0 + dt.timedelta(hours=1))}
    assert deliver(paid).status_code == 201
    late = deliver(pledged)
    assert late.status_code == 200
    assert late.json["status"] == "paid"
    [pledge] = stored(app)
    assert (pledge.status, pledge.occurred_at) == ("paid", t0 + dt.timedelta(hours=1))
    assert pledge.pledged_at == t0  # the pledge was made when its first event says
    assert credits(app) == {share.id: 2500}
    assert report(client, auth, campaign)["totals"]["pledges"] == 1


@BOTH_ENGINES
def test_a_refund_loses_the_credit_and_leaves_the_totals(
    app, client, auth, campaign_and_share, pledge_body, deliver, engine_name
):
    campaign, share, token = campaign_and_share
    t0 = now() - dt.timedelta(hours=3)
    pledged = pledge_body(campaign, ref=token, occurred_at=iso(t0))
    other = pledge_body(campaign, ref=token, amount_minor=1000)
    deliver(pledged), deliver(other)
    assert credits(app) == {share.id: 3500}

    for status in ("refunded", "cancelled"):
        later = pledged | {"status": status, "occurred_at": iso(t0 + dt.timedelta(hours=2))}
        response = deliver(later)
        assert response.status_code == 200
        assert response.json["status"] == "refunded"  # a tie goes to the later state
        assert response.json["credits"] == []
    assert credits(app) == {share.id: 1000}
    totals = report(client, auth, campaign)["totals"]
    assert totals["raised_minor"] == totals["attributed_minor"] == 1000
    assert totals["pledges"] == totals["attributed_pledges"] == 1


def test_a_refunded_pledge_paid_again_regains_its_credit(
    app, campaign_and_share, pledge_body, deliver
):
    campaign, share, token = campaign_and_share
    t0 = now() - dt.timedelta(hours=3)
    body = pledge_body(campaign, ref=token, occurred_at=iso(t0))
    deliver(body)
    deliver(body | {"status": "refunded", "occurred_at": iso(t0 + dt.timedelta(hours=1))})
    assert credits(app) == {}
    deliver(body | {"status": "paid", "occurred_at": iso(t0 + dt.timedelta(hours=2))})
    assert credits(app) == {share.id: 2500}


def test_touches_of_every_delivery_are_kept(app, make_campaign, make_share, pledge_body, deliver):
    campaign = make_campaign()
    (first, token_a), (second, token_b) = make_share(campaign), make_share(campaign)
    t0 = now() - dt.timedelta(hours=3)
    body = pledge_body(campaign, occurred_at=iso(t0))
    deliver(body | {"ref": [{"token": token_a, "at": iso(t0 - dt.timedelta(days=2))}]})
    deliver(body | {"status": "paid", "occurred_at": iso(t0 + dt.timedelta(hours=1))})
    deliver(body | {"ref": [{"token": token_b, "at": iso(t0 - dt.timedelta(days=1))}]})
    assert credits(app, "first_click") == {first.id: 2500}
    assert credits(app, "last_click") == {second.id: 2500}
    assert credits(app, "linear") == {first.id: 1250, second.id: 1250}


def test_refs_outside_the_window_or_forged_earn_nothing(
    app, make_campaign, make_share, pledge_body, deliver
):
    campaign = make_campaign(window_days=7)
    other_campaign = make_campaign()
    (inside, token_in), (_outside, token_out) = make_share(campaign), make_share(campaign)
    _, token_elsewhere = make_share(other_campaign)
    t0 = now() - dt.timedelta(hours=1)
    forged = token_in[:-1] + ("0" if token_in[-1] != "0" else "1")
    refs = [
        {"token": token_out, "at": iso(t0 - dt.timedelta(days=8))},
        {"token": token_in, "at": iso(t0 - dt.timedelta(days=6))},
        {"token": forged, "at": iso(t0 - dt.timedelta(days=1))},
        {"token": token_elsewhere, "at": iso(t0 - dt.timedelta(days=1))},
        {"token": token_out, "at": iso(t0 + dt.timedelta(minutes=30))},  # after the pledge
    ]
    response = deliver(pledge_body(campaign, occurred_at=iso(t0), ref=refs))
    assert response.status_code == 201
    assert response.json["ignored_refs"] == 2
    for model in ("last_click", "first_click", "linear", "time_decay", "position_based"):
        assert credits(app, model) == {inside.id: 2500}


def test_an_unattributed_pledge_counts_toward_the_total(
    client, auth, make_campaign, pledge_body, deliver
):
    campaign = make_campaign()
    assert deliver(pledge_body(campaign, ref="not-a-token")).status_code == 201
    assert deliver(pledge_body(campaign)).status_code == 201
    totals = report(client, auth, campaign)["totals"]
    assert (totals["raised_minor"], totals["pledges"]) == (5000, 2)
    assert (totals["attributed_minor"], totals["attributed_pledges"]) == (0, 0)


def test_the_same_external_id_in_two_campaigns_is_two_pledges(
    app, make_campaign, pledge_body, deliver
):
    one, two = make_campaign(), make_campaign()
    assert deliver(pledge_body(one, external_id="same")).status_code == 201
    assert deliver(pledge_body(two, external_id="same")).status_code == 201
    assert len(stored(app)) == 2


@BOTH_ENGINES
@pytest.mark.parametrize(
    ("how", "kwargs"),
    [
        ("replayed", {"skew": -310}),
        ("from the future", {"skew": 310}),
        ("wrong secret", {"secret": "whsec-guessed"}),
        ("no header", {"header": ""}),
        ("malformed header", {"header": "sha256=abc"}),
    ],
)
def test_unsigned_or_replayed_deliveries_are_refused(
    app, make_campaign, pledge_body, deliver, how, kwargs, engine_name
):
    response = deliver(pledge_body(make_campaign()), **kwargs)
    assert response.status_code == 401, how
    assert response.mimetype == "application/problem+json"
    assert response.json["type"].endswith("/bad-signature")
    assert stored(app) == []


def test_an_altered_body_is_refused(app, make_campaign, pledge_body, deliver):
    from sharetrack.pledges.signatures import sign

    body = json.dumps(pledge_body(make_campaign())).encode()
    header = sign("whsec-current-0123456789", int(time.time()), body)
    response = deliver(raw=body.replace(b"2500", b"9500"), header=header)
    assert response.status_code == 401
    assert stored(app) == []


def test_an_older_secret_still_verifies_during_rotation(app, make_campaign, pledge_body, deliver):
    campaign = make_campaign()
    assert deliver(pledge_body(campaign), secret=OLD_SECRET).status_code == 201
    assert deliver(pledge_body(campaign), secret=["whsec-gone", OLD_SECRET]).status_code == 201


@pytest.fixture
def no_secret(app):
    app.config["WEBHOOK_SECRET"], app.config["WEBHOOK_SECRETS"] = None, []


def test_without_a_configured_secret_nothing_is_accepted(
    app, no_secret, make_campaign, pledge_body, deliver
):
    response = deliver(pledge_body(make_campaign()), secret="")
    assert response.status_code == 401
    assert "no webhook secret" in response.json["detail"]


@BOTH_ENGINES
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_minor": 0}, "amount_minor"),
        ({"amount_minor": -100}, "amount_minor"),
        ({"amount_minor": 10**10 + 1}, "amount_minor"),
        ({"amount_minor": 25.5}, "amount_minor"),
        ({"amount_minor": "2500"}, "amount_minor"),
        ({"amount_minor": True}, "amount_minor"),
        ({"currency": "EUR"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"status": "disputed"}, "status"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2026-03-01T12:00:00"}, "occurred_at"),  # no offset
        ({"occurred_at": 1780000000}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-05:00"}, "occurred_at"),
        ({"campaign": "no-such-campaign"}, "campaign"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": "x" * 129}, "external_id"),
        ({"ref": [{"token": "abc"}]}, "ref"),
        ({"ref": ["abc"] * 2}, "ref"),
        ({"ref": 5}, "ref"),
        ({"tip_minor": 100}, "tip_minor"),
    ],
)
def test_bad_fields_are_refused_with_problem_details(
    app, make_campaign, pledge_body, deliver, change, field, engine_name
):
    response = deliver(pledge_body(make_campaign()) | change)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert any(e["field"].split(".")[0] == field for e in response.json["errors"]), response.json
    assert stored(app) == []


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 422),
        (b"external_id=1", "application/x-www-form-urlencoded", 415),
        (b'{"external_id": "' + b"x" * 70_000 + b'"}', "application/json", 413),
    ],
)
def test_bodies_that_are_not_a_pledge(app, deliver, raw, content_type, status):
    response = deliver(raw=raw, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert stored(app) == []
