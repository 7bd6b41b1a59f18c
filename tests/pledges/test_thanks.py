"""The thank-you page after a hosted-page pledge: its own signed address, what happens next,
and share buttons whose links name the pledge's link as their parent."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from sharetrack.extensions import db
from sharetrack.models import Campaign, Pledge, Share
from sharetrack.pledges import review
from sharetrack.services import services
from sharetrack.signing import Tokens
from tests.campaigns.test_pages import GOOD, submit
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN
from tests.pledges.test_page import arrive
from tests.staff_fixtures import *  # noqa: F403  (admin)
from tests.staff_fixtures import errors_in

INSTRUCTIONS = "Bank transfer: sort code 12-34-56, account 12345678.\n\nQuote SNOOP <b>."


@pytest.fixture
def hosted(make_campaign):
    return make_campaign(
        pledge_page=True,
        slug="hosted-case",
        landing_url="https://st.example/c/hosted-case",
        payment_instructions=INSTRUCTIONS,
    )


def pledge(client, campaign, **data) -> str:
    """Pledge on the hosted page; returns the thank-you address it leads to."""
    response = client.post(
        f"/c/{campaign.slug}/pledge", data={"amount": "25.50"} | data, headers=SAME_ORIGIN
    )
    assert response.status_code == 303, response.text
    return urlsplit(response.headers["Location"]).path


def parents(html: str) -> set[str]:
    """The parent every share form of the page names ("" for a form without one)."""
    forms = re.findall(r'<form method="post" action="/c/[^"]+/share".*?</form>', html, re.S)
    assert forms
    return {(re.findall(r'name="parent" value="([^"]+)"', f) or [""])[0] for f in forms}


@BOTH_ENGINES
def test_the_thank_you_page_echoes_the_amount_says_how_to_pay_and_asks_for_the_next_share(
    app, client, hosted, make_share, engine_name
):
    arrived, token = make_share(hosted, channel="facebook")
    ref = arrive(client, token, **{"Sec-GPC": "1"})  # no cookie: the page's ref is the link
    address = pledge(client, hosted, name="Ada Lovelace", ref=ref)
    # Only the pledge's id and a signature: no name, no amount, no campaign data.
    with app.app_context():
        stored = db.session.scalar(sa.select(Pledge))
        assert address == f"/c/hosted-case/thanks/{services(app).tokens.thanks_token(stored.id)}"
    assert "ada" not in address.lower() and "2550" not in address

    response = client.get(address)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"
    html = response.text
    assert 'Thank you for your pledge of <span class="nowrap">£25.50</span>' in html
    # The organiser's words, as plain text (escaped), in their paragraphs.
    assert "<p>Bank transfer: sort code 12-34-56, account 12345678.</p>" in html
    assert "<p>Quote SNOOP &lt;b&gt;.</p>" in html
    assert "Your pledge can start a chain" in html
    assert parents(html) == {ref}

    # A share button there makes a link whose parent is the link the pledge came through.
    shared = client.post(
        "/c/hosted-case/share", data={"channel": "whatsapp", "parent": ref}, headers=SAME_ORIGIN
    )
    assert shared.status_code == 200
    with app.app_context():
        child = db.session.scalar(sa.select(Share).where(Share.channel == "whatsapp"))
        assert child.parent_id == arrived.id


def test_what_happens_next_follows_the_pledge(app, client, hosted, make_campaign):
    address = pledge(client, hosted)
    assert "Here is how to pay" in client.get(address).text
    with app.app_context():
        stored = db.session.scalar(sa.select(Pledge))
        campaign = db.session.get(Campaign, hosted.id)
        review.decide(db.session, campaign, stored, "paid", "staff:admin@example.org")
        db.session.commit()
    paid = client.get(address).text
    assert "Your payment is in" in paid and "Here is how to pay" not in paid
    with app.app_context():
        stored = db.session.scalar(sa.select(Pledge))
        campaign = db.session.get(Campaign, hosted.id)
        review.decide(db.session, campaign, stored, "cancelled", "staff:admin@example.org")
        db.session.commit()
    assert "This pledge was cancelled" in client.get(address).text

    bare = make_campaign(pledge_page=True, slug="no-instructions")
    text = client.get(pledge(client, bare)).text
    assert "Your pledge is noted" in text and "Here is how to pay" not in text
    assert parents(text) == {""}  # a pledge through no link: its shares start a chain of their own


def _altered(token: str) -> list[str]:
    head, _, sig = token.partition(".")
    flip = "0" if sig[-1] != "0" else "1"
    return [
        f"{head}.{sig[:-1]}{flip}",  # one character of the signature
        f"{head}0.{sig}",  # another pledge's id under this signature
        f"0{head}.{sig}",  # the same id spelled with a leading zero
        token.upper(),  # share tokens forgive case; this one does not need to
        f"{head}.{sig}.{sig}",
        head,
        "",
        "x" * 500,
    ]


@BOTH_ENGINES
def test_forged_or_altered_tokens_are_404(app, client, hosted, make_campaign, engine_name):
    address = pledge(client, hosted)
    token = address.rsplit("/", 1)[1]
    assert client.get(address).status_code == 200
    for bad in _altered(token):
        assert client.get(f"/c/hosted-case/thanks/{bad}").status_code == 404, bad
    with app.app_context():
        pledge_id = db.session.scalar(sa.select(Pledge.id))
        tokens = services(app).tokens
        # The same id signed for another purpose (a share link) opens nothing here.
        share_token = tokens.share_token(pledge_id)
        # A token signed with another key.
        foreign = Tokens("another-secret-key").thanks_token(pledge_id)
    for bad in (share_token, foreign):
        assert client.get(f"/c/hosted-case/thanks/{bad}").status_code == 404, bad
    # A real token, but under another campaign's address.
    other = make_campaign(pledge_page=True, slug="other-case")
    assert client.get(f"/c/{other.slug}/thanks/{token}").status_code == 404
    # And a valid token of a pledge that does not exist.
    with app.app_context():
        missing = services(app).tokens.thanks_token(pledge_id + 1000)
    assert client.get(f"/c/hosted-case/thanks/{missing}").status_code == 404


@settings(max_examples=200)
@given(pledge_id=st.integers(1, 2**40), position=st.integers(0, 40), char=st.characters())
def test_a_changed_character_never_verifies(pledge_id, position, char):
    tokens = Tokens("k")
    token = tokens.thanks_token(pledge_id)
    assert tokens.thanks_pledge_id(token) == pledge_id
    i = position % len(token)
    changed = token[:i] + char + token[i + 1 :]
    if changed != token:
        assert tokens.thanks_pledge_id(changed) is None
    assert tokens.share_id(token) is None  # never a share link either
    assert unescape(token) == token  # nothing in it to escape: base32 and a dot


def test_staff_write_the_payment_instructions_in_the_campaign_form(app, admin, client):
    assert submit(admin, "/staff/new", **GOOD).status_code == 303
    told = "Pay by bank transfer:\n12-34-56 12345678\n\nor cash at the stall."
    bad = submit(
        admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"payment_instructions": "a\x01"})
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == {
        "payment_instructions": "How to pay must not contain control characters"
    }
    good = submit(
        admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"payment_instructions": told})
    )
    assert good.status_code == 303
    assert "or cash at the stall.</textarea>" in admin.get("/staff/campaigns/snoopers/edit").text
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        assert campaign.payment_instructions == told
        campaign.pledge_page = True
        db.session.commit()
        db.session.refresh(campaign)
        db.session.expunge(campaign)
    html = client.get(pledge(client, campaign)).text
    assert "<p>Pay by bank transfer:\n12-34-56 12345678</p><p>or cash at the stall.</p>" in html
