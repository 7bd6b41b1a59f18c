"""Staff pages for campaigns: the list, one campaign's page, create and edit (admins)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ..auth.staff import admin_required, require_sign_in
from ..extensions import db
from ..formatting import locale
from ..reports import overview
from . import service
from .forms import CampaignForm, currency_choices, validated

bp = Blueprint("campaigns", __name__, url_prefix="/staff")
bp.before_request(require_sign_in)


def campaign_or_404(slug: str):
    """The campaign with this slug, or the site's 404 page."""
    campaign = service.by_slug(db.session, slug) if len(slug) <= 64 else None
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/")
def index():
    """Every campaign with its shares and clicks so far."""
    rows = overview.campaigns_with_counts(db.session)
    return render_template("campaigns/list.html", rows=rows)


@bp.get("/campaigns/<slug>")
def show(slug: str):
    """One campaign: its settings and shares and clicks per channel."""
    campaign = campaign_or_404(slug)
    channels = overview.channels_with_counts(db.session, campaign.id)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        channels=channels,
        totals=overview.totals(channels),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    """The new-campaign form; on success, the campaign's page."""
    form = CampaignForm()
    form.currency.choices = currency_choices(locale())
    if form.is_submitted() and (values := validated(form, locale(), creating=True)):
        try:
            campaign = service.create(db.session, **values.model_dump())
        except service.SlugTaken:
            form.slug.errors = ["Short name is already used by another campaign"]
        else:
            db.session.commit()
            return redirect(url_for("campaigns.show", slug=campaign.slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=None), status


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit(slug: str):
    """The edit form of a campaign (its slug stays)."""
    campaign = campaign_or_404(slug)
    form = CampaignForm()
    form.currency.choices = currency_choices(locale())
    if not form.is_submitted():
        form.fill(campaign)
    elif values := validated(form, locale(), creating=False):
        service.update(campaign, **values.model_dump())
        db.session.commit()
        return redirect(url_for("campaigns.show", slug=campaign.slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=campaign), status
