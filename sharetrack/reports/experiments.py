"""An experiment's figures as the API and the staff page read them: clicks by the reports' one
click reader, everything else from experiments.service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..experiments import service, stats
from ..models import Campaign, Experiment
from .queries import clicks_by


def figures(session: Session, campaign: Campaign, experiment: Experiment) -> stats.Results:
    """Per variant figures and the verdict (experiments.stats.results)."""
    shares = service.share_ids(session, experiment)
    clicks = clicks_by(session, campaign.id, "share_id", share_ids=shares) if shares else {}
    return service.results(session, campaign, experiment, {k: c.clicks for k, c in clicks.items()})
