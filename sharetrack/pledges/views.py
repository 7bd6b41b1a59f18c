"""The hosted campaign page: GET /c/<slug>, its pledge form and its "Be a promoter" buttons."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ..campaigns import card
from ..campaigns import service as campaigns
from ..extensions import db
from ..formatting import money, number
from ..links import service as links
from ..links.channels import ACTIONS
from ..links.tokens import canonical_share_token
from ..models import Campaign, utcnow
from ..reports import queries
from ..web import (
    app_tokens,
    arrival_share_ids,
    arrivals,
    base_url,
    cookie_promoter_code,
    shared_link_page,
)
from . import service
from .forms import PledgeForm, ShareForm

bp = Blueprint("campaign_page", __name__)


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaigns.by_slug(db.session, slug) if len(slug) <= 64 else None
    if campaign is None or not campaign.pledge_page:
        abort(404)
    return campaign


def _arrived_through(campaign: Campaign, token: str | None) -> str | None:
    """The page's `ref` if it is a link of this campaign: the share the visitor came through."""
    share_id = app_tokens().share_id(token) if token else None
    if share_id and service.campaign_shares(db.session, campaign.id, [share_id]):
        return canonical_share_token(token)
    return None


def _card(campaign: Campaign, raised: queries.Money) -> card.Card:
    """What the social card shows, from the campaign's live totals (queries.pledge_totals)."""
    target = campaign.target_minor
    return card.Card(
        title=campaign.title,
        raised=money(raised.amount_minor, campaign.currency),
        target=money(target, campaign.currency) if target else None,
        pledges=f"{number(raised.pledges)} pledge{'' if raised.pledges == 1 else 's'}",
        fraction=raised.amount_minor / target if target else 0.0,
    )


def _social(campaign: Campaign, paragraphs: list[str], shown: card.Card) -> dict[str, str]:
    """Open Graph and Twitter card values: absolute URLs on BASE_URL."""
    summary = paragraphs[0] if paragraphs else ""
    if len(summary) > 200:
        summary = summary[:199].rsplit(" ", 1)[0] + "…"
    progress = f"{shown.raised} raised" + (f" of {shown.target}" if shown.target else "")
    return {
        "title": campaign.title,
        "description": f"{summary} {progress}." if summary else f"{progress}.",
        "url": base_url() + url_for(".campaign_page", slug=campaign.slug),
        "image": base_url() + url_for(".social_card", slug=campaign.slug),
        "image_alt": f"{campaign.title}: {progress}",
    }


def _render(campaign: Campaign, form: PledgeForm, ref: str | None, status: int = 200):
    raised = queries.pledge_totals(db.session, campaign.id)
    percent = (
        min(100, 100 * raised.amount_minor // campaign.target_minor) if campaign.target_minor else 0
    )
    paragraphs = [p.strip() for p in (campaign.summary or "").split("\n\n") if p.strip()]
    page = render_template(
        "pledges/campaign.html",
        campaign=campaign,
        form=form,
        share_form=ShareForm(formdata=None, parent=ref),
        ref=ref,
        actions=ACTIONS,
        raised=money(raised.amount_minor, campaign.currency),
        target=money(campaign.target_minor, campaign.currency),
        pledges=raised.pledges,
        percent=percent,
        paragraphs=paragraphs,
        social=_social(campaign, paragraphs, _card(campaign, raised)),
    )
    return page, status


@bp.get("/c/<slug>")
def campaign_page(slug: str):
    """The case, its progress, the promoter box and the pledge form."""
    campaign = _campaign_or_404(slug)
    ref = _arrived_through(campaign, request.args.get("ref"))
    return _render(campaign, PledgeForm(campaign.currency, formdata=None, ref=ref), ref)


@bp.get("/c/<slug>/card.png")
def social_card(slug: str):
    """The page's 1200 × 630 social card; its ETag follows what it shows."""
    campaign = _campaign_or_404(slug)
    shown = _card(campaign, queries.pledge_totals(db.session, campaign.id))
    tag = shown.etag()
    if request.if_none_match.contains(tag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(card.png(shown), mimetype="image/png")
    response.set_etag(tag)
    # Networks fetch it once per share; a browser revalidates after five minutes.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.post("/c/<slug>/pledge")
def pledge(slug: str):
    """Take a pledge, credited to the links this browser arrived through."""
    campaign = _campaign_or_404(slug)
    form = PledgeForm(campaign.currency)
    ref = _arrived_through(campaign, form.ref.data)
    if campaign.status != "active":
        form.amount.errors = [f"This campaign is {campaign.status} and takes no pledges."]
        return _render(campaign, form, ref, 409)
    if not form.validate_on_submit():
        return _render(campaign, form, ref, 422)
    touches = _touches(campaign, ref)
    service.record(
        db.session,
        campaign,
        service.Delivery(
            external_id=f"page-{secrets.token_urlsafe(12)}",
            amount_minor=form.amount_minor,
            currency=campaign.currency,
            status="pledged",
            occurred_at=utcnow(),
            touches=tuple(touches),
            supporter_name=form.name.data or None,
        ),
    )
    db.session.commit()
    flash(f"Thank you: your pledge of {money(form.amount_minor, campaign.currency)} is in.")
    return redirect(url_for(".campaign_page", slug=campaign.slug), 303)


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
def share(slug: str):
    """Make the visitor's link for one channel (as POST /api/v1/shares does), then open it."""
    campaign = _campaign_or_404(slug)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        promoter = links.promoter_for(db.session, None, cookie_promoter_code())
        parent_id = links.parent_for(
            db.session,
            app_tokens(),
            campaign.id,
            _arrived_through(campaign, form.parent.data),
            arrival_share_ids(),
        )
        share, _created = links.start_sharing(
            db.session,
            campaign=campaign,
            channel=form.channel.data,
            promoter=promoter,
            parent_id=parent_id,
        )
    except links.ShareRefused as refused:
        return render_template(
            "errors/error.html", status=refused.status, title="Cannot share", detail=refused.message
        ), refused.status
    db.session.commit()
    return shared_link_page(campaign, share, promoter.code)
