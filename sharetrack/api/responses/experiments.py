"""Experiments on the ask: the new experiment's id, and its figures per variant."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...experiments.stats import VERDICTS, Results
from ...models import Experiment
from ...models.experiments import EXPERIMENT_STATUSES
from .common import Documented


class ExperimentCreated(Documented):
    id: int


class VariantResult(Documented):
    key: str
    views: int
    shares: int
    clicks: int
    pledges: int = Field(description="Verified pledges credited to the variant's shares")
    money_minor: int = Field(description="Their credit under the campaign's attribution model")
    share_rate: float = Field(description="Shares per view")
    money_per_view_minor: float = Field(description="The primary metric, in minor units")
    lift: float | None = Field(
        description="Over the control (the first variant) in capped money per mature view; "
        "null for the control"
    )
    lift_low: float | None = Field(description="95% always-valid interval, low end")
    lift_high: float | None = Field(description="95% always-valid interval, high end")
    chance_best: float = Field(description="Posterior chance of the most money per view")


class ExperimentResult(Documented):
    id: int
    name: str
    status: Literal[EXPERIMENT_STATUSES]  # type: ignore[valid-type]
    verdict: Literal[VERDICTS]  # type: ignore[valid-type]
    winner: str | None = Field(description="The winning variant's key, once there is one")
    variants: list[VariantResult]

    @classmethod
    def build(cls, experiment: Experiment, results: Results) -> ExperimentResult:
        return cls(
            id=experiment.id,
            name=experiment.name,
            status=experiment.status,
            verdict=results.verdict,
            winner=None if results.winner is None else results.arms[results.winner].key,
            variants=[
                VariantResult(
                    key=arm.key,
                    views=arm.counts.views,
                    shares=arm.counts.shares,
                    clicks=arm.counts.clicks,
                    pledges=arm.counts.pledges,
                    money_minor=arm.counts.money_minor,
                    share_rate=arm.share_rate,
                    money_per_view_minor=arm.money_per_view_minor,
                    lift=arm.lift,
                    lift_low=arm.lift_low,
                    lift_high=arm.lift_high,
                    chance_best=arm.chance_best,
                )
                for arm in results.arms
            ],
        )
