"""The HTML pages' shared pieces: template filters and the page a share button answers with."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, make_response, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from .. import formatting
from ..campaigns.service import by_slug
from ..channels import CHANNEL
from ..config import mail_enabled
from ..extensions import db
from ..promoters import identity
from ..public import app_tokens, base_url, dashboard_url, link_url, set_promoter_cookie
from ..security import origin_of
from .promoters.forms import EmailForm


def init_app(app) -> None:
    """The templates' filters, and where an error page belongs."""
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.globals["error_place"] = error_place


STAFF_PATHS = ("/", "/staff")  # and everything under /staff/; "/" only redirects there


@dataclass(frozen=True)
class ErrorPlace:
    """Where an error page was met: staff pages link to the staff home; a public page names
    its campaign where the address holds one, and links back to it; else it links nowhere
    (a supporter has no business with the staff sign-in)."""

    staff: bool
    campaign_title: str | None = None
    back_url: str | None = None


def error_place() -> ErrorPlace:
    """The error page's place: staff, a public page of a campaign, or another public page."""
    path = request.path
    if path in STAFF_PATHS or path.startswith("/staff/"):
        return ErrorPlace(staff=True, back_url=url_for("campaigns.index"))
    slug = (request.view_args or {}).get("slug")
    if not isinstance(slug, str):
        return ErrorPlace(staff=False)
    try:  # the database may be why this page is shown (a 503): then say nothing more
        campaign = by_slug(db.session, slug)
    except SQLAlchemyError:
        db.session.rollback()
        return ErrorPlace(staff=False)
    if campaign is None:
        return ErrorPlace(staff=False)
    # Inside the embed box the page sits in the organiser's own page: no link out of it.
    hosted = campaign.pledge_page and request.blueprint != "embed"
    back = url_for("campaign_page.campaign_page", slug=slug) if hosted else None
    return ErrorPlace(staff=False, campaign_title=campaign.title, back_url=back)


def sent_by_our_page() -> bool:
    """The form was posted by a page of our own origin, not by another site.

    The public forms' defence against cross-site request forgery, which needs no cookie:
    Fetch Metadata's Sec-Fetch-Site where the browser sends it, else the Origin header, which
    browsers send on every form POST. A post with neither is refused (ADR 0402).
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    sender = origin_of(request.headers.get("Origin") or "")
    # A host that does not parse gives None, and so would "null" or a garbled Origin: never a match.
    return sender is not None and sender in our_origins()


def our_origins() -> set[str]:
    """The origins our pages are served from: BASE_URL's; in debug and tests, the request's too.

    In production the request's Host is whatever the client wrote, so with it a post saying
    `Host: evil.example` and `Origin: http://evil.example` would pass; only BASE_URL, which
    production requires (config.refuse_unsafe), names our pages there.
    """
    ours = {origin_of(base_url())}
    if current_app.debug or current_app.testing:
        ours.add(origin_of(request.host_url))
    return ours - {None}


def refused_from_another_site(detail: str) -> tuple[str, int]:
    """The 403 page for a form post sent_by_our_page() refuses; nothing was stored."""
    page = render_template("errors/error.html", status=403, title="Forbidden", detail=detail)
    return page, 403


def shared_link_page(campaign, shared, share_text: str | None = None):
    """The page a share button answers with: the new link, the network's share link, the
    promoter's own page and a way to have its address emailed.

    A page of ours rather than a redirect to the network: CSP's form-action 'self' also
    covers where a form post redirects, so browsers would block a 303 there (ADR 0401).
    """
    share = shared.share
    url = link_url(app_tokens().share_token(share.id))
    channel = CHANNEL[share.channel]
    key = identity.private_key(app_tokens(), shared.promoter)
    # The prefilled message: the ask's share_text (a variant's, or the campaign's), else the title.
    text = share_text or campaign.ask_share_text or campaign.title
    intent = channel.intent(url, text) if channel.intent else None
    page = render_template(
        "embed/shared.html",
        campaign=campaign,
        url=url,
        channel=share.channel,
        label=channel.label,
        intent=intent,
        page_url=dashboard_url(key),
        key=key,
        # No form token (EmailForm has none): the key in the form's address is the secret.
        email_form=EmailForm(formdata=None) if mail_enabled(current_app.config) else None,
    )
    response = make_response(page)
    set_promoter_cookie(response, shared.promoter)
    return response
