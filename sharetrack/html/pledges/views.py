"""The hosted campaign page: GET /c/<slug>, its pledge form and its "Be a promoter" buttons.

The page sets no cookie of its own: no session, no CSRF token. Its two forms are checked by
origin (html.common.sent_by_our_page), and the thank-you after a pledge travels in the redirect's
address, not in a flashed message (ADR 0402). The only cookie a visitor can get here is the
promoter cookie a share button sets, and not under GPC or DNT.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from ... import metrics
from ...campaigns import card
from ...campaigns import service as campaigns
from ...experiments import service as experiments
from ...extensions import csrf, db
from ...formatting import money
from ...models import PLEDGED, Campaign, utcnow
from ...pledges import acceptance, payments, service, supporters
from ...promoters import sharing
from ...public import (
    app_tokens,
    arrival_share_ids,
    arrivals,
    base_url,
    cookie_promoter,
)
from ...ratelimit import limited, spend
from ...security import allow_form_action_to
from ...signing import canonical_share_token, checkout_nonce
from ...tracking import bots
from .. import page_data
from ..common import refused_from_another_site, sent_by_our_page, shared_link_page
from .forms import PledgeForm, ShareForm
from .sharing import share_box

bp = Blueprint("campaign_page", __name__)

# What the page says on arriving back (?notice=pledged, or ?paid=1, where Checkout Sessions
# made before the Checkout return page sent supporters back): fixed sentences,
# so the address cannot make the page say anything else.
NOTICES = {
    "pledged": "Thank you: your pledge is noted, awaiting payment.",
    "paid": "Thank you: your payment is with Stripe; your pledge counts once it confirms.",
}


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaigns.get_campaign_or_404(db.session, slug)
    if not campaign.pledge_page:
        abort(404)
    return campaign


def _arrived_through(campaign, token: str | None) -> str | None:
    """The page's `ref` if it is a link of this campaign: the share the visitor came through."""
    share_id = app_tokens().share_id(token) if token else None
    if share_id and page_data.share_of(campaign.id, share_id):
        return canonical_share_token(token)
    return None


def _form(campaign, **kwargs) -> PledgeForm:
    return PledgeForm(campaign.currency, **kwargs)


def _stripe_key() -> str | None:
    return current_app.config.get("STRIPE_SECRET_KEY") or None


def _paragraphs(text: str | None) -> list[str]:
    """Plain text in paragraphs: blank lines part them."""
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _social(data: page_data.PageData, ask: experiments.Ask | None = None) -> dict[str, str]:
    """Open Graph and Twitter card values: absolute URLs on BASE_URL. A view showing a variant
    points at the card that draws the variant's headline (?v=, social_card)."""
    campaign, shown = data.campaign, data.card
    summary = data.paragraphs[0] if data.paragraphs else ""
    if len(summary) > 200:
        summary = summary[:199].rsplit(" ", 1)[0] + "…"
    progress = f"{shown.raised} raised" + (f" of {shown.target}" if shown.target else "")
    variant = ask.variant_id if ask is not None else None
    return {
        "title": campaign.title,
        "description": f"{summary} {progress}." if summary else f"{progress}.",
        "url": base_url() + url_for(".campaign_page", slug=campaign.slug),
        "image": base_url() + url_for(".social_card", slug=campaign.slug, v=variant),
        "image_alt": f"{campaign.title}: {progress}",
    }


def _allow_checkout() -> None:
    """With Stripe, the form's post answers with a redirect to Checkout, which the page's CSP
    form-action governs: a header of every answer, rendered, memoised or 304."""
    if _stripe_key():
        allow_form_action_to(current_app.config["STRIPE_CHECKOUT_ORIGIN"])


def _data_or_404(slug: str) -> page_data.PageData:
    """The hosted page's data from the workers' shared cache (html/page_data.py), or a 404."""
    data = page_data.get(slug)
    if data is None or not data.campaign.pledge_page:
        abort(404)
    return data


def _machine() -> bool:
    """Whether this request is a machine's (bots, link previews, prefetches): not counted."""
    return bots.is_machine(request.method, request.user_agent.string, request.headers)


FROM_OUR_PAGE_ONLY = "This form works from the campaign's own page. Open the page and try again."


def _render(
    data: page_data.PageData,
    form: PledgeForm,
    ref: str | None,
    status: int = 200,
    notice: str | None = None,
    ask: experiments.Ask | None = None,
):
    _allow_checkout()
    page = render_template(
        "pledges/campaign.html",
        # What one more share could raise: channels ranked, only well-founded headlines.
        box=data.box,
        recent=data.recent,
        ask=ask or experiments.Ask(data.campaign),
        campaign=data.campaign,
        form=form,
        notice=notice,
        ref=ref,
        raised=data.raised,
        target=data.target,
        pledges=data.pledges,
        percent=data.percent,
        paragraphs=data.paragraphs,
        social=_social(data, ask),
    )
    return page, status


@bp.get("/c/<slug>")
def campaign_page(slug: str):
    """The case, its progress, the promoter box and the pledge form: from the shared page data,
    rendered once per worker for each ETag, and a 304 when the browser has that one."""
    data = _data_or_404(slug)
    ref = _arrived_through(data.campaign, request.args.get("ref"))
    # Checkout Sessions made before the Checkout return page come back with ?paid=1.
    said = "paid" if request.args.get("paid") == "1" else request.args.get("notice", "")
    notice = NOTICES.get(said)
    ask = None
    if data.experimenting:
        # Drawn per view and counted: the variant is an input of this render (part of its name),
        # never of the shared data. Machines see the campaign's own words and are not counted.
        ask = experiments.ask_for_view(db.session, _campaign_or_404(slug), machine=_machine())
        db.session.commit()
    # Everything this request adds to the page is part of its name.
    variant = ask.variant_id if ask is not None else None
    tag = page_data.page_key(data, ref, notice, bool(_stripe_key()), base_url(), variant)
    _allow_checkout()
    return page_data.answer(
        tag,
        lambda: _render(
            data, _form(data.campaign, formdata=None, ref=ref), ref, notice=notice, ask=ask
        )[0],
    )


@bp.get("/c/<slug>/card.png")
def social_card(slug: str):
    """The page's 1200 × 630 social card; its ETag follows what it shows (drawn once for all
    workers: card.cached_png). Every request counts against RATELIMIT_CARD, cached or not."""
    wait = spend("RATELIMIT_CARD", request.remote_addr or "", "card")
    if wait is not None:
        g.sharetrack_retry_after = wait
        limit = current_app.config["RATELIMIT_CARD"].replace(";", ", ")
        abort(429, f"Too many requests from your network ({limit}); try again in {wait} s.")
    data = _data_or_404(slug)
    shown = _card_shown(data, request.args.get("v", ""))
    tag = shown.etag()
    if request.if_none_match.contains(tag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(page_data.card_png(shown), mimetype="image/png")
    response.set_etag(tag)
    # Networks fetch it once per share; a browser revalidates after five minutes.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _card_shown(data: page_data.PageData, v: str) -> card.Card:
    """The card a page view pointed at: with ?v=<variant> of the running experiment, its
    card_headline; any other v (stale, forged, another campaign's) is the campaign's card."""
    if not (data.experimenting and v.isascii() and v.isdigit() and len(v) <= 18):
        return data.card
    ask = experiments.ask_of_share(db.session, data.campaign, int(v))
    if ask.variant_id is None:
        return data.card
    return dataclasses.replace(data.card, headline=ask.card_headline)


@bp.post("/c/<slug>/pledge")
@csrf.exempt  # checked by origin instead: the page sets no session cookie to bind a token to
@limited("RATELIMIT_PLEDGE_FORM")
def pledge(slug: str):
    """Take a pledge: with Stripe, off to Checkout; else kept unconfirmed until staff confirm."""
    campaign = _campaign_or_404(slug)
    if not sent_by_our_page():
        return refused_from_another_site(FROM_OUR_PAGE_ONLY)
    form = _form(campaign)
    ref = _arrived_through(campaign, form.ref.data)
    valid = form.validate_on_submit()
    # The one acceptance rule, as the webhooks and the import follow it.
    refused = acceptance.refusal(
        campaign,
        campaign.currency,
        form.amount_minor or 0,
        taken_in=campaign.currency,
        stored=False,
        reported=False,
    )
    if refused is not None and refused.field == "campaign":
        form.amount.errors = [f"This campaign is {campaign.status} and takes no pledges."]
        return _render(_data_or_404(slug), form, ref, 409)
    if not valid:
        return _render(_data_or_404(slug), form, ref, 422)
    if refused is not None:  # over the campaign's largest pledge
        largest = money(campaign.max_pledge_minor, campaign.currency)
        form.amount.errors = [f"Pledges here go up to {largest}."]
        return _render(_data_or_404(slug), form, ref, 422)
    if _stripe_key():
        metrics.delivery_result("checkout")  # nothing stored: Stripe's webhook will say
        return _to_checkout(campaign, form, ref)
    touches = _touches(campaign, ref)
    pledged, _created = service.record(
        db.session,
        campaign,
        service.Delivery(
            external_id=f"page-{secrets.token_urlsafe(12)}",
            amount_minor=form.amount_minor,
            currency=campaign.currency,
            status=PLEDGED,
            occurred_at=utcnow(),
            touches=tuple(touches),
            supporter_name=form.name.data or None,
            show_name=bool(form.show_name.data and form.name.data),
            source="form",
        ),
    )
    db.session.commit()
    token = app_tokens().thanks_token(pledged.id)
    return redirect(url_for(".thanks", slug=campaign.slug, token=token), 303)


@bp.get("/c/<slug>/thanks/<token>")
def thanks(slug: str, token: str):
    """A supporter's thank-you: the amount, how to pay, and the ask to share (their pledge's
    link as the parent of the links made here). The signed token names the pledge, nothing more.
    """
    campaign = _campaign_or_404(slug)
    pledge_id = app_tokens().thanks_pledge_id(token)
    shown = supporters.thanks(db.session, campaign.id, pledge_id) if pledge_id else None
    if shown is None:
        abort(404)
    ref = app_tokens().share_token(shown.ref_share_id) if shown.ref_share_id else None
    # The ask to share, drawn per view as on the campaign's page (never cached: no-store).
    ask = experiments.ask_for_view(db.session, campaign, machine=_machine())
    db.session.commit()
    if ask.variant_id is None and not (campaign.ask_heading or campaign.ask_text):
        ask = None  # no words of the campaign's own: the page's "Start a chain"
    page = render_template(
        "pledges/thanks.html",
        campaign=campaign,
        thanks=shown,
        amount=money(shown.amount_minor, shown.currency),
        instructions=_paragraphs(campaign.payment_instructions),
        box=share_box(campaign),
        ref=ref,
        ask=ask,
    )
    # The address is the supporter's own: kept out of shared caches and search engines.
    return page, 200, {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


@bp.get("/c/<slug>/thanks/checkout/<token>")
def checkout_thanks(slug: str, token: str):
    """Where Stripe Checkout returns: the thank-you page of the pledge its webhook recorded, and
    until it arrives a page that says the payment is being confirmed and asks again every 3 s.
    The signed token names a nonce we put in the session's metadata; nothing else is read.
    """
    campaign = _campaign_or_404(slug)
    nonce = app_tokens().checkout_thanks_nonce(token)
    if nonce is None:
        abort(404)
    paid = payments.by_checkout_ref(db.session, nonce)
    if paid is None:
        page = render_template("pledges/confirming.html", campaign=campaign)
        return page, 200, {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    if paid.campaign_id != campaign.id:
        abort(404)
    return thanks(slug, app_tokens().thanks_token(paid.id))


def _to_checkout(campaign: Campaign, form: PledgeForm, ref: str | None):
    """Send the supporter to Stripe Checkout; the webhook records the pledge once paid, and
    Checkout returns the supporter to checkout_thanks."""
    config = current_app.config
    nonce = checkout_nonce()
    returned = url_for(
        ".checkout_thanks", slug=campaign.slug, token=app_tokens().checkout_thanks_token(nonce)
    )
    try:
        url = payments.checkout_url(
            secret_key=config["STRIPE_SECRET_KEY"],
            api_base=config["STRIPE_API_BASE"],
            checkout_origin=config["STRIPE_CHECKOUT_ORIGIN"],
            campaign=campaign,
            amount_minor=form.amount_minor,
            ref=ref,
            touches=[
                (app_tokens().share_token(share_id), at)
                for share_id, at in _touches(campaign, ref)
                if at is not None
            ],
            return_url=base_url() + url_for(".campaign_page", slug=campaign.slug),
            success_url=base_url() + returned,
            nonce=nonce,
        )
    except payments.CheckoutUnavailable:
        form.amount.errors = ["Payments are not available right now. Please try again shortly."]
        return _render(_data_or_404(campaign.slug), form, ref, 503)
    return redirect(url, 303)


def _touches(campaign: Campaign, ref: str | None) -> list[tuple[int, dt.datetime | None]]:
    """The touch cookie's arrivals in this campaign; else the page's own ref, if any."""
    found = arrivals()
    known = service.campaign_shares(db.session, campaign.id, (t.share_id for t in found))
    touches = [
        (t.share_id, dt.datetime.fromtimestamp(t.at, dt.UTC).replace(tzinfo=None))
        for t in found
        if t.share_id in known
    ]
    if not touches and ref:
        # No cookie (GPC, DNT or cookies off): the link in the page's address still counts.
        touches = [(app_tokens().share_id(ref), None)]
    return touches


@bp.post("/c/<slug>/share")
@csrf.exempt  # checked by origin instead, as the pledge form
@limited("RATELIMIT_SHARES")  # the same limit as POST /api/v1/shares and the embed box
def share(slug: str):
    """Make the visitor's link for one channel (as POST /api/v1/shares does), then show it."""
    campaign = _campaign_or_404(slug)
    if not sent_by_our_page():
        return refused_from_another_site(FROM_OUR_PAGE_ONLY)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        shared = sharing.share(
            db.session,
            app_tokens(),
            campaign=campaign,
            channel=form.channel.data,
            browser=cookie_promoter(),
            parent_token=_arrived_through(campaign, form.parent.data),
            arrivals=arrival_share_ids(),
            variant_id=form.variant_id,
        )
    except sharing.ShareRefused as refused:
        return render_template(
            "errors/error.html", status=refused.status, title="Cannot share", detail=refused.message
        ), refused.status
    ask = experiments.ask_of_share(db.session, campaign, form.variant_id)
    db.session.commit()
    return shared_link_page(campaign, shared, share_text=ask.share_text)
