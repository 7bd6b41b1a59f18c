"""The import's experiment lines: experiments, daily views, and the variant of each share.

Experiments are named within their campaign; a line naming one already stored uses it as it
is. A campaign runs one experiment at a time, so a new experiment on a campaign that runs one
(stored, or earlier in the file) is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import dialects
from ..experiments import service
from ..models import Campaign, Experiment, Variant, VariantDay
from ..models.experiments import RUNNING
from .schemas import ExperimentLine, ViewsLine

Name = tuple[str, str]  # (campaign slug, experiment name)


@dataclass
class Experiments:
    """Experiment and views lines as read, and what finish() found valid."""

    new: dict[Name, ExperimentLine] = field(default_factory=dict)
    lines: dict[Name, int] = field(default_factory=dict)
    views: list[tuple[int, ViewsLine]] = field(default_factory=list)
    keys: dict[Name, set[str]] = field(default_factory=dict)  # every experiment's variant keys
    valid_views: list[ViewsLine] = field(default_factory=list)

    def feed(self, number: int, line: ExperimentLine, error) -> None:
        name = (line.campaign, line.name)
        if name in self.lines:
            error(number, f"experiment {line.name!r} is already on line {self.lines[name]}")
            return
        self.lines[name] = number
        self.new[name] = line

    def finish(self, session: Session, known_campaign, error) -> None:
        """Check campaigns, one running experiment per campaign, and the views' variants."""
        stored = _stored(session, {slug for slug, _ in self.lines} | _slugs(self.views))
        running = {slug for (slug, _), (_, status) in stored.items() if status == RUNNING}
        for name, line in sorted(self.new.items(), key=lambda item: self.lines[item[0]]):
            slug = name[0]
            if name in stored:
                del self.new[name]  # stored before: used as it is
                continue
            why = known_campaign(slug)
            if why is None and slug in running:
                why = f"campaign {slug!r} already runs an experiment"
            if why:
                error(self.lines[name], why)
                del self.new[name]
                continue
            running.add(slug)
            self.keys[name] = {v.key for v in line.variants}
        for name, (keys, _) in stored.items():
            self.keys[name] = keys
        for number, line in self.views:
            why = self.variant_problem(line.campaign, line.experiment, line.variant)
            if why:
                error(number, why)
            else:
                self.valid_views.append(line)

    def variant_problem(self, slug: str, experiment: str, key: str) -> str | None:
        keys = self.keys.get((slug, experiment))
        if keys is None:
            return f"unknown experiment {experiment!r} of campaign {slug!r}"
        if key not in keys:
            return f"experiment {experiment!r} has no variant {key!r}"
        return None


def _slugs(views) -> set[str]:
    return {line.campaign for _, line in views}


def _stored(session: Session, slugs: set[str]) -> dict[Name, tuple[set[str], str]]:
    """Stored experiments of these campaigns: their variant keys and status."""
    rows = session.execute(
        sa.select(Campaign.slug, Experiment.name, Experiment.status, Variant.key)
        .join(Experiment, Experiment.campaign_id == Campaign.id)
        .join(Variant, Variant.experiment_id == Experiment.id)
        .where(Campaign.slug.in_(list(slugs)))
    )
    out: dict[Name, tuple[set[str], str]] = {}
    for slug, name, status, key in rows:
        out.setdefault((slug, name), (set(), status))[0].add(key)
    return out


def store(session: Session, found: Experiments, campaigns: dict[str, int]) -> dict:
    """Create the new experiments and set the views; returns {(slug, name, key): variant id}."""
    for (slug, _), line in found.new.items():
        campaign = session.get(Campaign, campaigns[slug])
        service.create(
            session,
            campaign,
            name=line.name,
            allocation=line.allocation,
            variants=line.variants,
            cap_minor=line.cap_minor,
            started_at=line.started_at,
        )
    rows = session.execute(
        sa.select(Campaign.slug, Experiment.name, Variant.key, Variant.id)
        .join(Experiment, Experiment.campaign_id == Campaign.id)
        .join(Variant, Variant.experiment_id == Experiment.id)
        .where(Campaign.id.in_(list(campaigns.values())))
    )
    variants = {(slug, name, key): vid for slug, name, key, vid in rows}
    for line in found.valid_views:
        _set_views(
            session, variants[(line.campaign, line.experiment, line.variant)], line.day, line.count
        )
    return variants


def _set_views(session: Session, variant_id: int, day: dt.date, count: int) -> None:
    statement = dialects.insert(session, VariantDay).values(
        variant_id=variant_id, day=day, views=count
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["variant_id", "day"], set_={"views": statement.excluded.views}
        )
    )
