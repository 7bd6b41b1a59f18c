"""GET /embed/<slug>: the promoter box for an iframe; POST /embed/<slug>/share: its buttons.

Inside a third-party iframe the browser may drop our cookies (SameSite, third-party cookie
blocking), so the box sets and needs none: its buttons are plain forms that open a new
top-level tab of ours (target=_blank). There, cookies are first-party again: the promoter
cookie keeps a returning promoter's links together and the touch cookie makes the new share
a child of the link the visitor arrived through. A session-bound CSRF token cannot work in
the iframe, so the share endpoint instead accepts only requests a page of our own origin
sent (Sec-Fetch-Site, else Origin): see docs/adr/0401-embed-box.md.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from ...campaigns import service as campaigns
from ...embed import service
from ...experiments import service as experiments
from ...extensions import csrf, db
from ...promoters import sharing
from ...public import (
    app_tokens,
    arrival_share_ids,
    cookie_promoter,
)
from ...ratelimit import limited
from ...security import allow_framing_by
from ...tracking import bots
from .. import page_data
from ..common import refused_from_another_site, sent_by_our_page, shared_link_page

bp = Blueprint("embed", __name__)


def _error(status: int, title: str, detail: str):
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


@bp.get("/embed/<slug>")
def box(slug: str):
    """The box: one button per channel, each with what a share on it could raise."""
    data = page_data.get(slug)  # the workers' shared page data (html/page_data.py)
    if data is None:
        raise campaigns.CampaignNotFound(slug)
    try:
        channels = service.channels_asked(request.args.get("channels"))
    except service.UnknownChannels as unknown:
        return _error(422, "Unknown channel", f"Cannot show channel(s): {str(unknown)[:200]}.")
    allow_framing_by(data.campaign.landing_url)
    buttons = service.shown_buttons(data.amounts, channels)
    ask = experiments.Ask(data.campaign)
    if data.experimenting:
        # As the hosted page: drawn per view and counted (machines see the campaign's words and
        # are not), and the variant is part of the page's name, never of the shared data.
        machine = bots.is_machine(request.method, request.user_agent.string, request.headers)
        campaign = campaigns.get_campaign_or_404(db.session, slug)
        ask = experiments.ask_for_view(db.session, campaign, machine=machine)
        db.session.commit()
    return page_data.answer(
        page_data.page_key(data, tuple(channels), ask.variant_id),
        lambda: render_template("embed/box.html", campaign=data.campaign, buttons=buttons, ask=ask),
    )


VARIANT = re.compile(r"[0-9]{1,18}")


@bp.post("/embed/<slug>/share")
@csrf.exempt  # checked by origin instead: the iframe cannot keep a CSRF session cookie
@limited("RATELIMIT_SHARES")  # the same limit as POST /api/v1/shares
def share(slug: str):
    """Make the visitor's link for one channel, in a new tab of ours with its share button."""
    campaign = campaigns.get_campaign_or_404(db.session, slug)
    if not sent_by_our_page():
        return refused_from_another_site("Share buttons work from the campaign's own box.")
    variant = request.form.get("variant", "")
    if variant and not VARIANT.fullmatch(variant):
        return _error(400, "Cannot share", "The box's variant field is not a number.")
    variant_id = int(variant) if variant else None
    try:
        shared = sharing.share(
            db.session,
            app_tokens(),
            campaign=campaign,
            channel=request.form.get("channel", ""),
            browser=cookie_promoter(),
            arrivals=arrival_share_ids(),
            variant_id=variant_id,  # checked against the running experiment there
        )
    except sharing.ShareRefused as refused:
        return _error(refused.status, "Cannot share", refused.message)
    ask = experiments.ask_of_share(db.session, campaign, variant_id)
    db.session.commit()
    return shared_link_page(campaign, shared, share_text=ask.share_text)
