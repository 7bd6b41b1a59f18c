"""The staff report page: the API's report plus estimates, leaflets, funnel and cascades.

The tables are the API's own rows (reports/service.py), so the page, its CSV downloads and
`GET /api/v1/campaigns/<slug>/report` always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from ...attribution.cascades import cascade_factor
from ...estimates import figures
from ...estimates.forecast import Forecast, campaign_forecast
from ...estimates.service import ChannelEstimate
from ...leaflets.service import BatchRow, batch_table
from ...models import ATTRIBUTION_MODELS, Campaign, Share
from ...periods import Period
from ...reports import credits, queries, service
from ...reports.schemas import ReportQuery

# "Last click", "Time decay", … in the order attribution/rules.py lists them.
MODEL_LABELS = {model: model.replace("_", " ").capitalize() for model in ATTRIBUTION_MODELS}
FIELD = {"model": "model", "from": "from", "to": "to", "since": "from", "until": "to"}
LEAFLET_COLUMNS = [
    "id",
    "label",
    "place",
    "printed",
    "visits",
    "scans",
    "unique_scans",
    "pledges",
    "attributed_minor",
    "per_100_printed_minor",
]


@dataclass(frozen=True)
class Choice:
    """What the page was asked for: a model and a date range (None = open)."""

    model: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def params(self) -> dict[str, str]:
        """The query string that asks for the same choice (for CSV links)."""
        out = {}
        if self.model:
            out["model"] = self.model
        if self.since:
            out["from"] = self.since.isoformat()
        if self.until:
            out["to"] = self.until.isoformat()
        return out


def read_choice(args: Mapping[str, str]) -> tuple[Choice, dict[str, str]]:
    """The choice in a query string, validated by the API's ReportQuery: (choice, errors).

    Errors are {field: sentence}; the choice then keeps only the valid parts.
    """
    values = {k: args[k] for k in ("model", "from", "to") if args.get(k)}
    errors: dict[str, str] = {}
    try:
        query = ReportQuery.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            name = FIELD.get(str(err["loc"][0]) if err["loc"] else "model", "model")
            if name == "model":
                errors[name] = "Choose one of the attribution models in the list."
            else:
                errors[name] = "Enter a date as YYYY-MM-DD, like 2026-03-01."
        good = {k: v for k, v in values.items() if k not in errors}
        query = ReportQuery.model_validate(good)
    if query.since and query.until and query.since > query.until:
        errors["from"] = "The first day must not be after the last."
        query = ReportQuery()
    return Choice(query.model, query.since, query.until), errors


@dataclass(frozen=True)
class Cascades:
    """How far shares spread: credit that came through child shares, and children per share."""

    indirect_minor: int  # credited to shares made from another share
    child_shares: int
    factor: float  # child shares per share


@dataclass(frozen=True)
class ReportPage:
    """Everything the campaign's report page shows."""

    model: str
    report: dict  # service.build(): totals, channels, promoters, daily
    estimates: dict[str, ChannelEstimate]
    hidden: dict[str, str | None]  # channel: why its estimate is greyed (figures.REASON_TEXT)
    bases: dict[str, str]  # channel: what its estimate rests on (figures.BASIS_TEXT)
    leaflets: list[BatchRow]
    cascades: Cascades
    forecast: Forecast


def build(session: Session, campaign: Campaign, choice: Choice) -> ReportPage:
    """The report page's figures for the campaign under the chosen model and range."""
    model = choice.model or campaign.attribution_model
    within = service.period(choice.since, choice.until)
    report = service.build(session, campaign, model, within)
    # The same shared figures as the share-value API and the report's channel rows.
    estimates = figures.current(session, campaign).channels
    return ReportPage(
        model=model,
        report=report,
        estimates=estimates,
        hidden={
            channel: figures.REASON_TEXT.get(figures.hidden_reason(e.estimate, campaign.currency))
            for channel, e in estimates.items()
        },
        bases={
            channel: figures.BASIS_TEXT.get(e.estimate.basis, e.estimate.basis)
            for channel, e in estimates.items()
        },
        leaflets=batch_table(session, campaign.id),
        cascades=cascades(session, campaign.id, model, within, report["totals"]["shares"]),
        forecast=campaign_forecast(session, campaign),
    )


def cascades(session: Session, cid: int, model: str, within: Period, shares: int) -> Cascades:
    """Credit to child shares, and child shares per share, in the period."""
    through = credits.credits_by(
        session, cid, model, "channel", within, where=[Share.parent_id.is_not(None)]
    )
    children = sum(queries.child_counts_by_channel(session, cid, within).values())
    return Cascades(
        indirect_minor=sum(m.amount_minor for m in through.values()),
        child_shares=children,
        factor=cascade_factor(children, shares),
    )


def leaflet_rows(session: Session, campaign_id: int) -> list[dict]:
    """The leaflet table's cells by column (for the CSV download): each batch's own fields with
    its pledge columns inline."""
    return [asdict(row) | asdict(row.money) for row in batch_table(session, campaign_id)]
