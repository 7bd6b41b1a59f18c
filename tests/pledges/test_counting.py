"""pledges.counting: the estimator's and the reports' one way to read counted money."""

from __future__ import annotations

from sharetrack.extensions import db
from sharetrack.pledges import counting
from tests.conftest import BOTH_ENGINES
from tests.pledges.test_moderation import form_pledge, patch
from tests.pledges.test_page import arrive


@BOTH_ENGINES
def test_only_counted_money_is_read(
    app, client, auth, make_campaign, make_share, deliver, pledge_body, engine_name
):
    campaign = make_campaign(pledge_page=True, attribution_model="first_click")
    share, token = make_share(campaign)
    deliver(pledge_body(campaign, ref=token, amount_minor=700, external_id="signed"))
    deliver(pledge_body(campaign, ref=token, amount_minor=300, status="refunded"))
    waiting = form_pledge(client, campaign, "9", arrive(client, token))
    form_pledge(client, campaign, "11", arrive(client, token))

    def read() -> tuple[list, tuple]:
        with app.app_context():
            credits = db.session.execute(counting.credits_under_campaign_models()).all()
            totals = counting.pledge_totals(db.session, campaign.id)
            return sorted((s, a) for s, _at, a, _pledge in credits), (
                totals.pledges,
                totals.amount_minor,
            )

    assert read() == ([(share.id, 700)], (1, 700))
    assert patch(client, auth, campaign, waiting, {"status": "paid"}).status_code == 200
    assert read() == ([(share.id, 700), (share.id, 900)], (2, 1600))
