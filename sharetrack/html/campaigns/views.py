"""Staff pages for campaigns: the list, one campaign's page, create and edit (admins)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import formatting
from ...auth.staff import admin_required, require_sign_in
from ...campaigns import service
from ...campaigns import updates as campaign_updates
from ...experiments import service as experiments
from ...extensions import db
from ...formatting import locale
from ...inputs import FieldsForm
from ...leaflets import service as leaflets
from ...links.service import ShareRefused
from ...models import CANCELLED, PAID
from ...money import digits
from ...pledges import review
from ...promoters import identity, sharing
from ...public import app_tokens, dashboard_url, link_url, print_url
from ...reports import charts, csv, overview
from ...reports import service as reports
from ..leaflets.forms import LeafletForm
from ..leaflets.forms import validated as leaflet_validated
from ..pledges.forms import ReviewForm
from . import report as page
from . import updates
from .forms import ENDS_BEFORE_START, CampaignForm, currency_choices, validated
from .next_steps import next_steps

bp = Blueprint("campaigns", __name__, url_prefix="/staff")
# Flash categories of notices shown beside the section they are about, not on top of the page.
MODERATION, LEAFLETS, NEXT_STEPS = "moderation", "leaflets", "next-steps"
bp.before_request(require_sign_in)


@bp.get("/")
def index():
    """Every campaign with its money, pledges, shares and clicks so far."""
    rows = overview.campaigns_with_figures(db.session)
    return render_template("campaigns/list.html", rows=rows)


@bp.get("/campaigns/<slug>")
def show(slug: str):
    """The campaign's report under a model and date range (?model=&from=&to=)."""
    campaign = service.get_campaign_or_404(db.session, slug)
    choice, errors = page.read_choice(request.args)
    return _report_page(campaign, choice, errors, LeafletForm(), 422 if errors else 200)


@bp.get("/campaigns/<slug>/report.csv")
def report_csv(slug: str):
    """One table of the report as CSV: the API's rows (?table=channels|promoters|daily|leaflets)."""
    campaign = service.get_campaign_or_404(db.session, slug)
    choice, errors = page.read_choice(request.args)
    table = request.args.get("table", "")
    if table not in (*reports.TABLES, "leaflets"):
        errors["table"] = "Choose channels, promoters, daily or leaflets."
    if errors:
        detail = " ".join(errors.values())
        page_ = render_template("errors/error.html", status=422, title="Bad request", detail=detail)
        return page_, 422
    if table == "leaflets":
        rows, columns, model = page.leaflet_rows(db.session, campaign.id), page.LEAFLET_COLUMNS, ""
    else:
        model = choice.model or campaign.attribution_model
        within = reports.period(choice.since, choice.until)
        rows = reports.table_rows(db.session, campaign, table, model, within)  # as the API
        columns = csv.COLUMNS[table]
    name = "-".join(part for part in (campaign.slug, table, model) if part)
    return Response(
        csv.to_csv(rows, columns),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.post("/campaigns/<slug>/leaflets")
@admin_required
def create_leaflets(slug: str):
    """A new leaflet batch from the form on the report page; its print sheet is linked there."""
    campaign = service.get_campaign_or_404(db.session, slug)
    form = LeafletForm()
    if values := leaflet_validated(form):
        try:
            batch = leaflets.create_batch(
                db.session,
                campaign=campaign,
                label=values.label,
                printed=values.printed,
                place=values.place,
                promoter_code=values.promoter,
            )
        except leaflets.UnknownPromoter:
            form.promoter.errors = ["No promoter has this code."]
        except leaflets.CampaignEnded:
            form.label.errors = ["This campaign has ended: it takes no new leaflets."]
        else:
            db.session.commit()
            flash(
                f"Leaflet batch “{batch.label}” created: print it from the leaflet table.", LEAFLETS
            )
            return redirect(url_for("campaigns.show", slug=campaign.slug) + "#leaflets", 303)
    return _report_page(campaign, page.Choice(), {}, form, 422)


@bp.post("/campaigns/<slug>/first-share")
@admin_required
def first_share(slug: str):
    """A share link (a new promoter's, on the link channel) for staff to post first."""
    campaign = service.get_campaign_or_404(db.session, slug)
    form = FieldsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        shared = sharing.share(db.session, app_tokens(), campaign=campaign, channel="link")
    except ShareRefused as exc:
        page_ = render_template("errors/error.html", status=409, title="No link", detail=str(exc))
        return page_, 409
    db.session.commit()
    key = identity.private_key(app_tokens(), shared.promoter)
    url = link_url(app_tokens().share_token(shared.share.id))
    flash(f"Your share link: {url} (its promoter page, keep it private: {dashboard_url(key)})",
          NEXT_STEPS)  # fmt: skip
    return redirect(url_for("campaigns.show", slug=campaign.slug) + "#next-steps", 303)


@bp.post("/campaigns/<slug>/pledges/<int:pledge_id>/review")
@admin_required
def review_pledge(slug: str, pledge_id: int):
    """Confirm or void one pledge (the report page's buttons); kept in the pledge trail."""
    campaign = service.get_campaign_or_404(db.session, slug)
    pledge = review.one(db.session, campaign, pledge_id)
    if pledge is None:
        abort(404)  # another campaign's pledge is no pledge of this page
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    if form.status.data == CANCELLED and form.confirmed.data != "yes":
        return redirect(url_for(".void_pledge", slug=campaign.slug, pledge_id=pledge.id), 303)
    try:
        review.decide(db.session, campaign, pledge, form.status.data, f"staff:{current_user.email}")
    except review.ReviewRefused as exc:
        page_ = render_template(
            "errors/error.html", status=409, title="Not changed", detail=str(exc)
        )
        return page_, 409
    db.session.commit()
    done = "confirmed" if form.status.data == PAID else "voided"
    # Shown beside the queue, where the admin acted (the address's #moderation scrolls there).
    flash(f"Pledge {pledge.external_id} {done}.", MODERATION)
    return redirect(url_for("campaigns.show", slug=campaign.slug) + "#moderation", 303)


@bp.get("/campaigns/<slug>/pledges/<int:pledge_id>/void")
@admin_required
def void_pledge(slug: str, pledge_id: int):
    """The confirm step before a Void: what the pledge is, and the one button that voids it."""
    campaign = service.get_campaign_or_404(db.session, slug)
    pledge = review.one(db.session, campaign, pledge_id)
    if pledge is None:
        abort(404)
    return render_template(
        "campaigns/void.html", campaign=campaign, pledge=pledge, form=ReviewForm(formdata=None)
    )


def _report_page(campaign, choice: page.Choice, errors: dict, leaflet_form, status: int):
    figures = page.build(db.session, campaign, choice)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        choice=choice,
        errors=errors,
        typed=request.args,
        figures=figures,
        charts=[
            charts.daily_svg(
                figures.report["daily"],
                money=lambda minor: formatting.money_short(minor, campaign.currency),
                label=formatting.short_day,
                money_unit=10 ** digits(campaign.currency),
                frame=frame,
            )
            for frame in (charts.WIDE, charts.NARROW)
        ],
        forecast_charts=[
            charts.forecast_svg(
                figures.forecast,
                money=lambda minor: formatting.money_short(minor, campaign.currency),
                label=formatting.short_day,
                money_unit=10 ** digits(campaign.currency),
                frame=frame,
            )
            for frame in (charts.FORECAST_WIDE, charts.FORECAST_NARROW)
        ],
        models=page.MODEL_LABELS,
        leaflet_form=leaflet_form if current_user.is_admin else None,
        print_url=print_url,
        # Admins moderate; every staff member reads the trail.
        queue=review.unconfirmed(db.session, campaign) if current_user.is_admin else None,
        review_form=ReviewForm(formdata=None),
        trail=review.trail(db.session, campaign),
        steps=next_steps(campaign),
        updates=campaign_updates.of_campaign(db.session, campaign),
        experiments=experiments.of_campaign(db.session, campaign.id),
    ), status


# A campaign's dated updates (html/campaigns/updates.py), admins only.
bp.add_url_rule(
    "/campaigns/<slug>/updates/new",
    "new_update",
    admin_required(updates.new),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/campaigns/<slug>/updates/<int:update_id>/edit",
    "edit_update",
    admin_required(updates.edit),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/campaigns/<slug>/updates/<int:update_id>/delete",
    "delete_update",
    admin_required(updates.delete),
    methods=["POST"],
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
        except service.EndsBeforeStart:
            form.ends_at.errors = [ENDS_BEFORE_START]
        else:
            db.session.commit()
            flash(f"Campaign “{campaign.title}” created.")
            return redirect(url_for("campaigns.show", slug=campaign.slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=None), status


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit(slug: str):
    """The edit form of a campaign (its slug stays)."""
    campaign = service.get_campaign_or_404(db.session, slug)
    form = CampaignForm()
    form.currency.choices = currency_choices(locale(), keep=campaign.currency)
    if not form.is_submitted():
        form.fill(campaign)
    elif values := validated(form, locale(), creating=False, stored_currency=campaign.currency):
        try:
            service.update(campaign, **values.model_dump())
        except service.EndsBeforeStart:
            form.ends_at.errors = [ENDS_BEFORE_START]
        except service.CurrencyLocked:
            form.currency.errors = ["Currency cannot change once the campaign has verified pledges"]
        else:
            db.session.commit()
            flash("Changes saved.")
            return redirect(url_for("campaigns.show", slug=campaign.slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("campaigns/form.html", form=form, campaign=campaign), status
