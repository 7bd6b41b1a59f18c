"""Staff moderation: list pledges, confirm or void one (API and report page), with a trail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import ATTRIBUTION_MODELS as MODELS
from sharetrack.models import Pledge, PledgeCredit, PledgeReview, PledgeTouch
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN
from tests.pledges.conftest import iso
from tests.pledges.test_page import arrive, open_page
from tests.staff_fixtures import *  # noqa: F403  (sign_in, make_staff)
from tests.staff_fixtures import csrf_from


@pytest.fixture
def hosted(make_campaign):
    return make_campaign(pledge_page=True, slug="hosted-case", target_minor=500_000)


def form_pledge(client, campaign, amount: str, ref: str | None = None) -> int:
    """A pledge through the hosted form; returns its id."""
    open_page(client, campaign, ref)
    data = {"amount": amount} | ({"ref": ref} if ref else {})
    response = client.post(f"/c/{campaign.slug}/pledge", data=data, headers=SAME_ORIGIN)
    assert response.status_code == 303, response.text
    return newest_pledge_id(client.application)


def newest_pledge_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Pledge.id)))


def credits_by_model(app, pledge_id: int) -> dict[str, dict[int, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PledgeCredit.model, PledgeCredit.share_id, PledgeCredit.amount_minor).where(
                PledgeCredit.pledge_id == pledge_id
            )
        ).all()
    out: dict[str, dict[int, int]] = {}
    for model, share_id, amount in rows:
        out.setdefault(model, {})[share_id] = amount
    return out


def patch(client, auth, campaign, pledge_id, body):
    return client.patch(
        f"/api/v1/campaigns/{campaign.slug}/pledges/{pledge_id}", headers=auth, json=body
    )


@BOTH_ENGINES
def test_a_confirmed_form_pledge_gets_exact_credit_under_all_five_models(
    app, client, auth, hosted, make_share, deliver, pledge_body, engine_name
):
    shares = [make_share(hosted, channel=c) for c in ("facebook", "x", "email")]
    for _share, token in shares:
        ref = arrive(client, token)
    pledge_id = form_pledge(client, hosted, "123.45", ref)
    assert credits_by_model(app, pledge_id) == {}
    confirmed = patch(client, auth, hosted, pledge_id, {"status": "paid"})
    assert confirmed.status_code == 200, confirmed.json
    assert (confirmed.json["status"], confirmed.json["confirmed"], confirmed.json["counted"]) == (
        "paid",
        True,
        True,
    )
    assert confirmed.json["review"]["from"] == {"status": "pledged", "confirmed": False}
    credits = credits_by_model(app, pledge_id)
    assert set(credits) == set(MODELS)
    assert all(sum(c.values()) == 12_345 for c in credits.values())
    assert credits["last_click"] == {shares[-1][0].id: 12_345}
    assert credits["first_click"] == {shares[0][0].id: 12_345}
    # Exactly what a verified delivery with the same touches gets, model by model.
    with app.app_context():
        touches = db.session.execute(
            sa.select(PledgeTouch.share_id, PledgeTouch.at).where(
                PledgeTouch.pledge_id == pledge_id
            )
        ).all()
        pledged_at = db.session.get(Pledge, pledge_id).pledged_at
    tokens = {share.id: token for share, token in shares}
    twin = deliver(
        pledge_body(
            hosted,
            amount_minor=12_345,
            occurred_at=iso(pledged_at),
            ref=[{"token": tokens[s], "at": iso(at)} for s, at in touches],
        )
    )
    assert twin.status_code == 201, twin.json
    assert credits_by_model(app, newest_pledge_id(app)) == credits
    report = client.get(f"/api/v1/campaigns/{hosted.slug}/report", headers=auth).json["totals"]
    assert (report["raised_minor"], report["unconfirmed_minor"]) == (2 * 12_345, 0)


def test_voiding_takes_the_credit_away_and_confirming_again_is_a_no_op(
    app, client, auth, hosted, make_share
):
    _share, token = make_share(hosted)
    pledge_id = form_pledge(client, hosted, "10", arrive(client, token))
    assert patch(client, auth, hosted, pledge_id, {"status": "paid"}).json["review"] is not None
    assert patch(client, auth, hosted, pledge_id, {"status": "paid"}).json["review"] is None
    voided = patch(client, auth, hosted, pledge_id, {"status": "cancelled"})
    assert (voided.json["status"], voided.json["counted"], voided.json["credits"]) == (
        "cancelled",
        False,
        [],
    )
    assert credits_by_model(app, pledge_id) == {}
    with app.app_context():
        trail = db.session.execute(
            sa.select(PledgeReview.from_status, PledgeReview.to_status).order_by(PledgeReview.id)
        ).all()
    assert trail == [("pledged", "paid"), ("paid", "cancelled")]


def test_bad_reviews_are_refused_and_change_nothing(
    app, client, auth, hosted, make_campaign, deliver, pledge_body
):
    other = make_campaign()
    pledge_id = form_pledge(client, hosted, "10")
    assert patch(client, auth, other, pledge_id, {"status": "paid"}).status_code == 404
    assert patch(client, auth, hosted, 10**9, {"status": "paid"}).status_code == 404
    for body in ({"status": "refunded"}, {"status": "pledged"}, {}, {"status": 1}, {"x": 1}):
        assert patch(client, auth, hosted, pledge_id, body).status_code == 422
    assert patch(client, {}, hosted, pledge_id, {"status": "paid"}).status_code == 401
    deliver(pledge_body(hosted, external_id="gone", status="refunded"))
    refunded = newest_pledge_id(app)
    assert patch(client, auth, hosted, refunded, {"status": "paid"}).status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PledgeReview)) == 0
        assert db.session.get(Pledge, pledge_id).status == "pledged"


def test_the_list_filters_and_pages(app, client, auth, hosted, deliver, pledge_body):
    ids = [form_pledge(client, hosted, str(n)) for n in (1, 2, 3)]
    deliver(pledge_body(hosted, external_id="signed", amount_minor=900))
    url = f"/api/v1/campaigns/{hosted.slug}/pledges"
    everything = client.get(url, headers=auth).json
    assert [p["source"] for p in everything["pledges"]] == ["webhook", "form", "form", "form"]
    assert everything["next_cursor"] is None
    unconfirmed = client.get(url, headers=auth, query_string={"confirmed": "false"}).json
    assert [p["id"] for p in unconfirmed["pledges"]] == ids[::-1]
    first = client.get(url, headers=auth, query_string={"source": "form", "limit": 2}).json
    assert [p["id"] for p in first["pledges"]] == [ids[2], ids[1]]
    rest = client.get(
        url,
        headers=auth,
        query_string={"source": "form", "limit": 2, "cursor": first["next_cursor"]},
    ).json
    assert ([p["id"] for p in rest["pledges"]], rest["next_cursor"]) == ([ids[0]], None)
    assert client.get(url, headers=auth, query_string={"status": "paid"}).json["pledges"] == []
    for bad in ({"limit": 0}, {"limit": 201}, {"source": "mars"}, {"confirmed": "maybe"}):
        assert client.get(url, headers=auth, query_string=bad).status_code == 422
    assert client.get("/api/v1/campaigns/nope/pledges", headers=auth).status_code == 404


def test_admins_confirm_on_the_report_page_and_the_trail_shows_who(
    app, client, hosted, make_share, sign_in
):
    _share, token = make_share(hosted)
    pledge_id = form_pledge(client, hosted, "42", arrive(client, token))
    email = sign_in("admin")
    page = client.get(f"/staff/campaigns/{hosted.slug}")
    assert "Promised, awaiting payment</dt><dd>£42 (1)" in page.text
    assert 'aria-label="Confirm pledge page-' in page.text
    action = f"/staff/campaigns/{hosted.slug}/pledges/{pledge_id}/review"
    assert client.post(action, data={"status": "paid"}).status_code == 400  # no CSRF token
    response = client.post(action, data={"status": "paid", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "No pledge is waiting for confirmation." in page
    row = re.search(r'<table id="trail">.*?</table>', page, re.S).group(0)
    assert f"staff:{email}" in row and "pledged (unconfirmed)" in row and "<td>paid</td>" in row
    assert credits_by_model(app, pledge_id)["last_click"] == {_share.id: 4200}


def test_a_viewer_cannot_moderate(app, client, hosted, sign_in):
    pledge_id = form_pledge(client, hosted, "5")
    sign_in("viewer")
    page = client.get(f"/staff/campaigns/{hosted.slug}").text
    assert 'aria-label="Confirm' not in page
    response = client.post(
        f"/staff/campaigns/{hosted.slug}/pledges/{pledge_id}/review",
        data={"status": "paid", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Pledge, pledge_id).status == "pledged"


def test_another_campaigns_pledge_is_404_on_the_page(client, hosted, make_campaign, sign_in):
    other = make_campaign()
    pledge_id = form_pledge(client, hosted, "5")
    sign_in("admin")
    assert review_on_the_page(client, other, pledge_id).status_code == 404


def review_on_the_page(client, campaign, pledge_id, status: str = "paid"):
    """Post the staff report page's review form for `pledge_id` (a staff member signed in)."""
    page = client.get(f"/staff/campaigns/{campaign.slug}").text
    return client.post(
        f"/staff/campaigns/{campaign.slug}/pledges/{pledge_id}/review",
        data={"status": status, "csrf_token": csrf_from(page)},
    )


def test_an_anonymous_form_pledge_does_not_fix_the_campaigns_currency(
    app, client, auth, hosted, deliver, pledge_body
):
    """Anyone can send the hosted form, so its unverified pledge must not lock staff out of a
    currency change; once changed, that pledge cannot be confirmed in its old currency (a
    409 saying so), can be voided, and a verified pledge fixes the currency again."""
    pledge_id = form_pledge(client, hosted, "20.00")
    changed = client.patch(
        f"/api/v1/campaigns/{hosted.slug}", headers=auth, json={"currency": "EUR"}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["currency"] == "EUR"

    refused = patch(client, auth, hosted, pledge_id, {"status": "paid"})
    assert refused.status_code == 409
    assert refused.json["type"].endswith("pledge-currency")
    assert "GBP" in refused.json["detail"] and "EUR" in refused.json["detail"]
    assert credits_by_model(app, pledge_id) == {}
    assert patch(client, auth, hosted, pledge_id, {"status": "cancelled"}).status_code == 200

    hosted.currency = "EUR"
    assert deliver(pledge_body(hosted, status="paid")).status_code == 201
    locked = client.patch(
        f"/api/v1/campaigns/{hosted.slug}", headers=auth, json={"currency": "USD"}
    )
    assert locked.status_code == 422
    assert locked.json["errors"] == [
        {"field": "currency", "message": "cannot change once the campaign has verified pledges"}
    ]


def test_a_signed_payment_of_a_form_pledge_after_a_currency_change_takes_its_currency(
    app, client, auth, hosted, deliver, pledge_body
):
    """A form pledge made in GBP, the campaign changed to EUR, then the platform's signed
    delivery for that pledge in EUR: the pledge counts in EUR at the delivered amount."""
    pledge_id = form_pledge(client, hosted, "20.00")
    with app.app_context():
        external_id = db.session.get(Pledge, pledge_id).external_id
    changed = client.patch(
        f"/api/v1/campaigns/{hosted.slug}", headers=auth, json={"currency": "EUR"}
    )
    assert changed.status_code == 200
    hosted.currency = "EUR"
    body = pledge_body(hosted, external_id=external_id, amount_minor=2300, status="paid")
    assert deliver(body).status_code in (200, 201)
    with app.app_context():
        pledge = db.session.get(Pledge, pledge_id)
        assert (pledge.currency, pledge.amount_minor, pledge.verified) == ("EUR", 2300, True)


def test_a_pledge_in_the_earlier_currency_is_shown_in_it_and_not_added_to_the_waiting_money(
    app, client, auth, hosted, sign_in
):
    """After a change to EUR, a GBP form pledge is listed as £20 (never €20) and left
    out of the unconfirmed total; a new form pledge in EUR is in it (the page writes whole
    amounts without pence)."""
    form_pledge(client, hosted, "20.00")
    changed = client.patch(
        f"/api/v1/campaigns/{hosted.slug}", headers=auth, json={"currency": "EUR"}
    )
    assert changed.status_code == 200
    form_pledge(client, hosted, "7.00")
    report = client.get(f"/api/v1/campaigns/{hosted.slug}/report", headers=auth).json
    assert (report["totals"]["unconfirmed_minor"], report["totals"]["unconfirmed_pledges"]) == (
        700,
        1,
    )
    sign_in("admin")
    page = client.get(f"/staff/campaigns/{hosted.slug}").text
    assert ">£20<" in page and "€20" not in page and ">€7<" in page


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_a_currency_change_waits_for_a_pledge_being_verified(app, hosted, engine_name):
    """Whoever verifies a pledge holds the campaign's committed currency (a share lock) until
    they commit, so a concurrent currency change cannot slip between their check and their
    pledge: it waits (here, up to a 200 ms lock timeout)."""
    import sqlalchemy.exc

    from sharetrack.campaigns import service
    from sharetrack.models import Campaign

    with app.app_context():
        with db.engine.connect() as first, db.engine.connect() as second:
            verifier = sa.orm.Session(bind=first)
            changer = sa.orm.Session(bind=second)
            campaign = verifier.get(Campaign, hosted.id)
            assert service.committed_currency(verifier, campaign) == "GBP"
            changer.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(sqlalchemy.exc.OperationalError, match="lock timeout"):
                service.update(changer.get(Campaign, hosted.id), currency="EUR")
            changer.rollback()
            verifier.rollback()  # the verifier is done: now the change goes through
            service.update(changer.get(Campaign, hosted.id), currency="EUR")
            changer.commit()
            assert service.committed_currency(verifier, verifier.get(Campaign, hosted.id)) == "EUR"
            verifier.rollback()


# Ids no row can have: 0, one past a 64-bit id (OverflowError on SQLite, "out of range" on
# PostgreSQL before), and a number longer than Python turns into an int from text.
IMPOSSIBLE_IDS = ["0", "9223372036854775808", "1" + "0" * 30, "9" * 5000]


@BOTH_ENGINES
@pytest.mark.parametrize("pledge_id", [*IMPOSSIBLE_IDS, "9223372036854775807"])
def test_a_pledge_id_no_row_can_have_is_404_from_the_api(
    client, auth, hosted, engine_name, pledge_id
):
    form_pledge(client, hosted, "5")
    response = patch(client, auth, hosted, pledge_id, {"status": "paid"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@BOTH_ENGINES
@pytest.mark.parametrize("pledge_id", [*IMPOSSIBLE_IDS, "9223372036854775807"])
def test_a_pledge_id_no_row_can_have_is_404_on_the_review_form(
    app, client, hosted, sign_in, engine_name, pledge_id
):
    form_pledge(client, hosted, "5")
    sign_in("admin")
    assert review_on_the_page(client, hosted, pledge_id).status_code == 404
    with app.app_context():
        assert db.session.scalars(sa.select(Pledge.status)).all() == ["pledged"]


def test_void_asks_first_and_the_notice_sits_by_the_queue(app, client, hosted, sign_in):
    pledge_id = form_pledge(client, hosted, "12")
    sign_in("admin")
    page = client.get(f"/staff/campaigns/{hosted.slug}").text
    queue = re.search(r'<table id="unconfirmed" class="cards">.*?</table>', page, re.S).group(0)
    assert f'<tr id="pledge-{pledge_id}">' in queue and 'data-label="Amount"' in queue
    void_url = f"/staff/campaigns/{hosted.slug}/pledges/{pledge_id}/void"
    assert f'class="button secondary danger" href="{void_url}"' in queue
    action = f"/staff/campaigns/{hosted.slug}/pledges/{pledge_id}/review"
    # A Void without the confirm step's answer changes nothing and asks instead.
    asked = client.post(action, data={"status": "cancelled", "csrf_token": csrf_from(page)})
    assert (asked.status_code, asked.headers["Location"]) == (303, void_url)
    with app.app_context():
        assert db.session.get(Pledge, pledge_id).status == "pledged"
    confirm = client.get(void_url).text
    assert "Void pledge page-" in confirm and "£12" in confirm
    assert '<button type="submit" class="danger">' in confirm
    assert f'href="/staff/campaigns/{hosted.slug}#pledge-{pledge_id}">Keep it' in confirm
    done = client.post(
        action, data={"status": "cancelled", "confirmed": "yes", "csrf_token": csrf_from(confirm)}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("#moderation")
    with app.app_context():
        assert db.session.get(Pledge, pledge_id).status == "cancelled"
    after = client.get(done.headers["Location"]).text
    notice = after.index("voided.</p>")
    assert after.index('id="moderation"') < notice < after.index('id="trail-heading"')


def test_the_void_page_of_another_campaigns_pledge_is_404(client, hosted, make_campaign, sign_in):
    pledge_id = form_pledge(client, hosted, "5")
    sign_in("admin")
    other = make_campaign()
    assert client.get(f"/staff/campaigns/{other.slug}/pledges/{pledge_id}/void").status_code == 404
