"""Staff API: experiments on the ask (issue 23)."""

from __future__ import annotations

from flask import url_for

from ..campaigns.service import get_campaign_or_404
from ..errors import Problem, invalid
from ..experiments import service
from ..experiments.schemas import ExperimentCreate, ExperimentEnd
from ..extensions import db
from ..models import Campaign, Experiment
from ..reports.experiments import figures
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import ExperimentCreated, ExperimentResult

NOT_FOUND = "This campaign has no such experiment."


@bp.post("/campaigns/<slug>/experiments")
@operation(
    "Start an experiment on the ask: 2–4 variants, one running per campaign",
    body=ExperimentCreate,
    responses={201: Reply("The new experiment", ExperimentCreated, headers=("Location",))},
    scope="write",
    errors=(404, 409),
    tags=("experiments",),
)
def create_experiment(slug: str):
    """Start an experiment; the campaign's page shows its variants at once."""
    campaign = get_campaign_or_404(db.session, slug)
    body = parse(ExperimentCreate)
    try:
        experiment = service.start(db.session, campaign, body)
    except service.AlreadyRunning:
        raise Problem(
            409,
            "Conflict",
            "This campaign already runs an experiment; end it first.",
            slug="experiment-running",
        ) from None
    db.session.commit()
    response = json_response(ExperimentCreated(id=experiment.id), 201)
    response.headers["Location"] = url_for(
        "api.get_experiment", slug=slug, experiment_id=experiment.id
    )
    return response


def _experiment(campaign: Campaign, experiment_id: int) -> Experiment:
    try:
        return service.get(db.session, campaign, experiment_id)
    except service.ExperimentNotFound:
        raise Problem(404, "Not Found", NOT_FOUND, slug="unknown-experiment") from None


def result(campaign: Campaign, experiment: Experiment) -> ExperimentResult:
    """The experiment's figures and verdict."""
    return ExperimentResult.build(experiment, figures(db.session, campaign, experiment))


@bp.get("/campaigns/<slug>/experiments/<int:experiment_id>")
@operation(
    "An experiment's figures per variant and its verdict",
    responses={200: Reply("The experiment", ExperimentResult)},
    scope="read",
    errors=(404,),
    tags=("experiments",),
)
def get_experiment(slug: str, experiment_id: int):
    """Views, shares, clicks, pledges, money, lift and chance best per variant; the verdict."""
    campaign = get_campaign_or_404(db.session, slug)
    return result(campaign, _experiment(campaign, experiment_id))


@bp.post("/campaigns/<slug>/experiments/<int:experiment_id>/end")
@operation(
    "End an experiment; a kept variant's words become the campaign's ask",
    body=ExperimentEnd,
    responses={200: Reply("The experiment as ended", ExperimentResult)},
    scope="write",
    errors=(404, 409),
    tags=("experiments",),
)
def end_experiment(slug: str, experiment_id: int):
    """End it, keeping one variant's words or none."""
    campaign = get_campaign_or_404(db.session, slug)
    body = parse(ExperimentEnd)
    experiment = _experiment(campaign, experiment_id)
    try:
        service.end(db.session, campaign, experiment, body.keep)
    except service.UnknownVariant:
        raise invalid(
            [{"field": "keep", "message": "is not a variant of this experiment"}]
        ) from None
    except service.AlreadyEnded:
        raise Problem(
            409, "Conflict", "This experiment has ended.", slug="experiment-ended"
        ) from None
    db.session.commit()
    return result(campaign, experiment)
