"""Staff pages of experiments on the ask: start one (admins); one experiment's page with the
variants side by side, the verdict in words and money per view over time; end it (admins)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...auth.staff import admin_required, require_sign_in
from ...campaigns import service as campaigns
from ...experiments import service, stats
from ...extensions import db
from ...formatting import locale, number
from ...models import Campaign, Experiment
from ...models.experiments import RUNNING
from ...reports.experiments import figures
from .chart import money_per_view_svg
from .forms import EndForm, ExperimentForm, end_choice, validated

bp = Blueprint("experiments", __name__, url_prefix="/staff")
bp.before_request(require_sign_in)


def in_words(results: stats.Results) -> str:
    """The verdict as staff read it."""
    planned = f"{stats.PLANNED_LIFT:.0%}"
    if results.verdict == stats.WINNER:
        key = results.arms[results.winner].key
        return (
            f"Winner: {key!r} raises the most money per view. The evidence holds however "
            "often this page was looked at."
        )
    if results.verdict == stats.NO_CLEAR_WINNER:
        return (
            f"No clear winner: a difference of {planned} or more would most likely have shown "
            "by now. Keep whichever words you prefer."
        )
    if results.more_views_needed is None:
        return "Too early to say: no pledges have come in yet from views old enough to judge."
    return (
        f"Too early to say: about {number(results.more_views_needed)} more views per variant "
        f"needed to tell a {planned} difference."
    )


@bp.route("/campaigns/<slug>/experiments/new", methods=["GET", "POST"])
@admin_required
def new(slug: str):
    """The start form; one experiment runs at a time, so a running one is named instead."""
    campaign = campaigns.get_campaign_or_404(db.session, slug)
    running = service.running(db.session, campaign.id)
    form = ExperimentForm()
    form.prepare(campaign, locale())
    if not form.is_submitted():
        form.fill(campaign)
    elif running is None and (body := validated(form, campaign, locale())):
        try:
            experiment = service.start(db.session, campaign, body)
            db.session.commit()
        except service.AlreadyRunning:  # started meanwhile (the database's index holds)
            running = service.running(db.session, campaign.id)
        else:
            flash(
                f"Experiment “{experiment.name}” started: the campaign's pages show its variants."
            )
            return redirect(url_for(".show", slug=slug, experiment_id=experiment.id), 303)
    status = 200 if not form.is_submitted() else 409 if running else 422
    page = render_template(
        "experiments/new.html", campaign=campaign, form=form, running=running, status=status
    )
    return page, status


def _experiment_or_404(slug: str, experiment_id: int) -> tuple[Campaign, Experiment]:
    campaign = campaigns.get_campaign_or_404(db.session, slug)
    try:
        return campaign, service.get(db.session, campaign, experiment_id)
    except service.ExperimentNotFound:
        abort(404)


@bp.get("/campaigns/<slug>/experiments/<int:experiment_id>")
def show(slug: str, experiment_id: int):
    """The variants side by side with their figures, the verdict and the chart."""
    campaign, experiment = _experiment_or_404(slug, experiment_id)
    return _show_page(campaign, experiment, EndForm(formdata=None), 200)


@bp.post("/campaigns/<slug>/experiments/<int:experiment_id>/end")
@admin_required
def end(slug: str, experiment_id: int):
    """End it: the first post asks to confirm (what the campaign's words become), the second
    (confirmed=yes) ends it, keeping the chosen variant's words or none."""
    campaign, experiment = _experiment_or_404(slug, experiment_id)
    form = EndForm()
    form.offer(campaign, experiment)
    if experiment.status != RUNNING:
        return _ended_already()
    if (choice := end_choice(form)) is None:
        return _show_page(campaign, experiment, form, 422)
    kept = next((v for v in experiment.variants if v.key == choice.keep), None)
    if choice.keep is not None and kept is None:
        form.keep.errors = ["Choose one of the variants, or none."]
        return _show_page(campaign, experiment, form, 422)
    if form.confirmed.data != "yes":
        page = render_template(
            "experiments/end.html", campaign=campaign, experiment=experiment, form=form, kept=kept
        )
        return page, 200
    try:
        service.end(db.session, campaign, experiment, choice.keep)
    except service.AlreadyEnded:  # ended by someone else meanwhile
        return _ended_already()
    db.session.commit()
    kept_words = f"variant {kept.key}'s words are" if kept else "the campaign's own words are"
    flash(f"Experiment ended: {kept_words} the campaign's ask from now on.")
    return redirect(url_for(".show", slug=slug, experiment_id=experiment.id), 303)


def _ended_already():
    detail = "This experiment has ended already; its page shows what was kept."
    return render_template("errors/error.html", status=409, title="Ended", detail=detail), 409


def _show_page(campaign: Campaign, experiment: Experiment, end_form: EndForm, status: int):
    results = figures(db.session, campaign, experiment)
    daily = service.read(db.session, campaign, experiment, mature_only=False).daily
    chart = money_per_view_svg(
        [(dt.date.fromordinal(day), rows) for day, rows in sorted(daily.items())],
        [v.key for v in experiment.variants],
        campaign.currency,
    )
    if not end_form.keep.choices:
        end_form.offer(campaign, experiment)
    can_end = experiment.status == RUNNING and current_user.is_admin
    page = render_template(
        "experiments/show.html",
        campaign=campaign,
        experiment=experiment,
        results=results,
        verdict=in_words(results),
        chart=chart,
        mature_days=campaign.window_days + service.REFUND_LAG_DAYS,
        end_form=end_form if can_end else None,
    )
    return page, status
