"""Every event reaches a real receiver signed to the Standard Webhooks spec, verified by its
reference library; payloads carry ids, amounts and credits, nothing personal (issue 24)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import PLEDGED, WEBHOOK_EVENTS, Campaign, WebhookDelivery, utcnow
from sharetrack.pledges import service
from sharetrack.webhooks import outbox
from tests.conftest import BOTH_ENGINES
from tests.pledges.conftest import iso

NAME = "Ada Lovelace"


def form_pledge(app, campaign, amount_minor=700) -> None:
    """A hosted-form pledge, recorded as the page records it: awaiting confirmation."""
    with app.app_context():
        row = db.session.get(Campaign, campaign.id)
        delivery = service.Delivery(
            external_id="page-1",
            amount_minor=amount_minor,
            currency=row.currency,
            status=PLEDGED,
            occurred_at=utcnow(),
            supporter_name=NAME,
            source="form",
        )
        service.record(db.session, row, delivery)
        db.session.commit()


@BOTH_ENGINES
def test_every_event_arrives_signed_and_carries_nothing_personal(
    app, client, auth, make_campaign, deliver, pledge_body, receiver, endpoint, run, engine_name
):
    _, secret = endpoint
    campaign = make_campaign(target_minor=10_000)
    shared = client.post("/api/v1/shares", json={"campaign": campaign.slug, "channel": "x"})
    token = shared.json["token"]
    form_pledge(app, campaign)
    paid = pledge_body(campaign, amount_minor=5_000, status="paid", ref=token)
    assert deliver(paid).status_code == 201
    later = iso(utcnow() + dt.timedelta(seconds=1))
    refund = {**paid, "status": "refunded", "occurred_at": later}
    assert deliver(refund).status_code == 200
    ended = client.patch(
        f"/api/v1/campaigns/{campaign.slug}", headers=auth, json={"status": "ended"}
    )
    assert ended.status_code == 200

    summary = run()
    assert summary.sent == summary.delivered == 7
    events = receiver.verified(secret)  # raises unless every signature verifies
    assert sorted(e["type"] for e in events) == sorted([*WEBHOOK_EVENTS, "campaign.milestone"])
    assert len(set(receiver.ids())) == 7
    by_type = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event["data"])
    assert all(NAME not in r.body.decode() for r in receiver.got)
    assert by_type["share.created"][0]["channel"] == "x"
    counted = by_type["pledge.counted"][0]
    assert counted["pledge"]["amount_minor"] == 5_000 and counted["channel"] == "x"
    assert counted["campaign"]["slug"] == campaign.slug
    assert set(counted["credits"]) == {
        "last_click", "first_click", "linear", "time_decay", "position_based"
    }  # fmt: skip
    for credits in counted["credits"].values():
        assert sum(c["amount_minor"] for c in credits) == 5_000
    assert by_type["pledge.refunded"][0]["credits"]["last_click"] == []  # its credit went
    assert by_type["pledge.awaiting"][0]["pledge"]["counted"] is False
    assert sorted(m["percent"] for m in by_type["campaign.milestone"]) == [25, 50]
    assert by_type["campaign.ended"][0]["reason"] == "status"
    assert run().sent == 0  # each sent once


@BOTH_ENGINES
def test_a_milestone_is_announced_once_even_if_the_total_falls_and_rises(
    app, make_campaign, deliver, pledge_body, receiver, endpoint, run, engine_name
):
    _, secret = endpoint
    campaign = make_campaign(target_minor=1_000)
    first = pledge_body(campaign, amount_minor=300, status="paid")
    deliver(first)
    deliver({**first, "status": "refunded", "occurred_at": iso(utcnow())})
    deliver(pledge_body(campaign, amount_minor=300, status="paid"))
    run()
    milestones = [e["data"]["percent"] for e in receiver.verified(secret) if "percent" in e["data"]]
    assert milestones == [25]


@BOTH_ENGINES
def test_a_change_rolled_back_leaves_no_event_and_a_refused_one_none(
    app, make_campaign, deliver, pledge_body, endpoint, engine_name
):
    campaign = make_campaign(currency="GBP")
    with app.app_context():
        outbox.emit(db.session, "share.created", {"share": {"id": 1}})
        db.session.flush()
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0
    refused = deliver(pledge_body(campaign, currency="EUR", status="paid"))
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0


@BOTH_ENGINES
def test_a_campaign_past_its_end_date_is_announced_by_the_next_run(
    app, make_campaign, receiver, endpoint, run, engine_name
):
    _, secret = endpoint
    start = utcnow() - dt.timedelta(days=10)
    campaign = make_campaign(starts_at=start, ends_at=start + dt.timedelta(days=5))
    make_campaign()  # open-ended: nothing to say
    assert run().ended == 1
    [event] = receiver.verified(secret)
    assert event["type"] == "campaign.ended"
    assert event["data"]["campaign"]["slug"] == campaign.slug
    assert event["data"]["reason"] == "ends_at"
    assert run().ended == 0


def test_an_endpoint_gets_only_the_events_it_takes(app, make_campaign, receiver, run):
    from sharetrack.webhooks import endpoints

    with app.app_context():
        endpoints.create(
            db.session,
            receiver.url,
            ["campaign.ended"],
            endpoints.rules_from(app.config),
        )
        outbox.emit(db.session, "share.created", {"share": {"id": 1}})
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0
    assert receiver.got == []
