"""The hosted pledge form's redirect to Stripe Checkout, in Chromium, against a local recorder."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.pledges import stripe_support as st
from tests.pledges.stripe_recorder import stripe_api  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config(app_config, stripe_api) -> dict:  # noqa: F811
    return {
        **app_config,
        "STRIPE_SECRET_KEY": "sk_test_browser_0123456789",
        "STRIPE_API_BASE": stripe_api.origin,
        "STRIPE_CHECKOUT_ORIGIN": stripe_api.origin,
        "STRIPE_WEBHOOK_SECRET": [st.SECRET],
    }


@pytest.fixture
def hosted(make_campaign, live_server):
    return make_campaign(
        pledge_page=True,
        slug="hosted-case",
        title="Stop the Snoopers",
        landing_url=f"{live_server}/c/hosted-case",
    )


def _navigations_elsewhere(page, origin: str) -> list:
    seen: list = []
    page.on(
        "request",
        lambda r: (
            seen.append((r.is_navigation_request(), r.resource_type))
            if r.url.startswith(origin)
            else None
        ),
    )
    return seen


def test_the_pledge_form_takes_the_supporter_to_checkout(
    page,
    live_server,
    watch,
    hosted,
    make_share,
    stripe_api,  # noqa: F811
):
    _share, token = make_share(hosted, channel="facebook")
    seen = _navigations_elsewhere(page, stripe_api.origin)
    page.goto(f"/s/{token}")  # arrive through a share link, as a supporter does
    expect(page).to_have_url(re.compile(r"/c/hosted-case\?.*\bref="))
    page.get_by_label("Amount (GBP)").fill("12.34")
    page.get_by_role("button", name="Pledge").click()
    expect(page).to_have_url(re.compile(re.escape(stripe_api.origin) + r"/c/pay/cs_test_\w+"))
    expect(page.get_by_role("heading", name="Pay (test)")).to_be_visible()
    [call] = [c for c in stripe_api.calls if c.method == "POST"]
    assert call.form["line_items[0][price_data][unit_amount]"] == "1234"
    assert call.form["metadata[sharetrack_campaign]"] == "hosted-case"
    assert call.form["metadata[sharetrack_ref]"] == token
    returned = call.form["success_url"]
    assert returned.startswith(f"{live_server}/c/hosted-case/thanks/checkout/")
    # The only request that left our origin is the supporter's own trip to the checkout page.
    assert seen == [(True, "document")]
    watch.requests = [u for u in watch.requests if not u.startswith(stripe_api.origin)]

    # Stripe sends the supporter back before its webhook arrives: the page says it is
    # confirming, then refreshes itself (no script) into the thank-you page once it has.
    page.goto(returned)
    expect(page.get_by_role("heading", name=re.compile("confirming your payment"))).to_be_visible()
    metadata = {k[9:-1]: v for k, v in call.form.items() if k.startswith("metadata[")}
    session = st.checkout_session("pi_br", 1234, metadata=metadata)
    body = st.event("checkout.session.completed", session)
    answer = page.request.post(
        f"{live_server}/api/v1/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": st.sign(body), "Content-Type": "application/json"},
    )
    assert answer.status == 200
    thanked = page.get_by_role("heading", name="Thank you for your pledge of £12.34")
    expect(thanked).to_be_visible(timeout=10_000)
    assert page.url == returned
    parents = page.locator('form[action="/c/hosted-case/share"] input[name="parent"]')
    expect(parents.first).to_have_value(token)
    assert set(parents.evaluate_all("els => els.map(e => e.value)")) == {token}


def test_without_the_form_action_allowance_the_browser_blocks_the_redirect(
    page,
    monkeypatch,
    hosted,
    stripe_api,  # noqa: F811
):
    """Why the page names Checkout in form-action (docs/adr/0305): without it, no redirect."""
    monkeypatch.setattr("sharetrack.html.pledges.views.allow_form_action_to", lambda url: False)
    page.goto("/c/hosted-case")
    page.get_by_label("Amount (GBP)").fill("5")
    # Chromium reports the violation on the console; wait for that message, not a fixed time.
    with page.expect_console_message(lambda m: "form-action" in m.text) as blocked:
        page.get_by_role("button", name="Pledge").click()
    assert "Content Security Policy" in blocked.value.text
    assert not page.url.startswith(stripe_api.origin)
