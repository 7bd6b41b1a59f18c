"""One acceptance rule for pledges (pledges.acceptance), followed by the webhook and the form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import ACTIVE, ENDED, PAUSED, Campaign, Pledge
from sharetrack.pledges.acceptance import Refusal, refusal
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN
from tests.pledges.test_page import open_page

OPEN = Campaign(slug="c", status=ACTIVE, max_pledge_minor=5_000)


@pytest.mark.parametrize(
    ("status", "currency", "amount", "stored", "reported", "field"),
    [
        (ACTIVE, "GBP", 5_000, False, False, None),
        (ACTIVE, "gbp", 5_000, False, True, None),
        (ACTIVE, "EUR", 5_000, False, True, "currency"),
        (ACTIVE, "EUR", 5_000, True, True, "currency"),  # a stored pledge keeps the currency
        (ACTIVE, "GBP", 5_001, False, False, "amount_minor"),
        (ACTIVE, "GBP", 5_001, False, True, "amount_minor"),
        (ACTIVE, "GBP", 5_001, True, True, None),  # a stored pledge is followed whatever the limit
        (PAUSED, "GBP", 100, False, False, "campaign"),  # no new ask on a paused campaign
        (ENDED, "GBP", 100, False, False, "campaign"),
        (PAUSED, "GBP", 100, False, True, None),  # money given is recorded after a pause
        (ENDED, "GBP", 100, False, True, None),
        (PAUSED, "GBP", 100, True, True, None),  # its refund after a pause is still followed
    ],
)
def test_the_rule(status, currency, amount, stored, reported, field):
    campaign = Campaign(slug="c", status=status, max_pledge_minor=5_000)
    refused = refusal(campaign, currency, amount, taken_in="GBP", stored=stored, reported=reported)
    assert (refused.field if refused else None) == field
    assert refused is None or isinstance(refused, Refusal) and refused.message


def _pause(app, campaign, status=PAUSED):
    with app.app_context():
        db.session.get(Campaign, campaign.id).status = status
        db.session.commit()


def _pledges(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Pledge))


@BOTH_ENGINES
@pytest.mark.parametrize("status", [PAUSED, ENDED])
def test_the_webhook_records_money_given_after_the_campaign_closed(
    app, client, make_campaign, deliver, pledge_body, engine_name, status
):
    campaign = make_campaign(pledge_page=True)
    taken = pledge_body(campaign, status="paid")
    assert deliver(taken).status_code == 201
    _pause(app, campaign, status)
    # A payment the platform took after the pause is money given: recorded, not refused.
    late = deliver(pledge_body(campaign, status="paid"))
    assert late.status_code == 201, late.json
    assert _pledges(app) == 2
    # The pledge taken before is still followed: its refund is recorded.
    assert deliver(taken | {"status": "refunded"}).status_code == 200
    # But the page no longer asks: a new pledge on the form is refused, and nothing is stored.
    open_page(client, campaign)
    form = client.post(f"/c/{campaign.slug}/pledge", data={"amount": "5"}, headers=SAME_ORIGIN)
    assert form.status_code == 409
    assert _pledges(app) == 2


@BOTH_ENGINES
def test_the_form_and_the_webhook_refuse_the_same_amount(
    app, client, make_campaign, deliver, pledge_body, engine_name
):
    hosted = make_campaign(pledge_page=True, max_pledge_minor=5_000)
    open_page(client, hosted)
    form = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "50.01"}, headers=SAME_ORIGIN)
    hook = deliver(pledge_body(hosted, amount_minor=5_001))
    assert (form.status_code, hook.status_code) == (422, 422)
    assert 'id="amount-error">Pledges here go up to £50.</span>' in form.text
    assert [e["field"] for e in hook.json["errors"]] == ["amount_minor"]
    assert _pledges(app) == 0
    ok = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "50.00"}, headers=SAME_ORIGIN)
    assert ok.status_code == 303 and _pledges(app) == 1


def test_the_form_refuses_a_campaign_not_active(app, client, make_campaign):
    hosted = make_campaign(pledge_page=True)
    open_page(client, hosted)
    _pause(app, hosted, ENDED)
    response = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "5"}, headers=SAME_ORIGIN)
    assert response.status_code == 409
    assert "takes no pledges now" in response.text  # the page says so in place of the form
    assert _pledges(app) == 0
