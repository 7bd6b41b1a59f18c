"""Staff page of an experiment on the ask: the variants side by side, the verdict in words, and
money per view over time."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template

from ...auth.staff import require_sign_in
from ...campaigns import service as campaigns
from ...experiments import service, stats
from ...extensions import db
from ...formatting import number
from ...reports.experiments import figures
from .chart import money_per_view_svg

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


@bp.get("/campaigns/<slug>/experiments/<int:experiment_id>")
def show(slug: str, experiment_id: int):
    """The variants side by side with their figures, the verdict and the chart."""
    campaign = campaigns.get_campaign_or_404(db.session, slug)
    try:
        experiment = service.get(db.session, campaign, experiment_id)
    except service.ExperimentNotFound:
        abort(404)
    results = figures(db.session, campaign, experiment)
    daily = service.read(db.session, campaign, experiment, mature_only=False).daily
    chart = money_per_view_svg(
        [(dt.date.fromordinal(day), rows) for day, rows in sorted(daily.items())],
        [v.key for v in experiment.variants],
        campaign.currency,
    )
    return render_template(
        "experiments/show.html",
        campaign=campaign,
        experiment=experiment,
        results=results,
        verdict=in_words(results),
        chart=chart,
        mature_days=campaign.window_days + service.REFUND_LAG_DAYS,
    )
