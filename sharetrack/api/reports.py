"""Staff API: the campaign report, as JSON or one table as CSV."""

from __future__ import annotations

from flask import Response, request

from ..campaigns.service import get_campaign_or_404
from ..errors import invalid
from ..extensions import db
from ..models import ATTRIBUTION_MODELS
from ..reports import csv, service
from ..reports.schemas import ReportQuery
from ..tracking import rollup
from . import bp
from .openapi import Reply, operation
from .responses import Report


@bp.get("/campaigns/<slug>/report")
@operation(
    "Attribution report: totals, channels, top promoters and days (JSON or CSV)",
    responses={
        200: Reply(
            "The report; with format=csv, one table's rows as CSV",
            Report,
            alternatives=(("text/csv", {"type": "string"}),),
        ),
    },
    scope="read",
    errors=(404, 422),
    parameters=(
        {
            "name": "model",
            "in": "query",
            "required": False,
            "schema": {"enum": list(ATTRIBUTION_MODELS)},
        },
        {
            "name": "from",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "date"},
        },
        {
            "name": "to",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "date"},
        },
        {"name": "format", "in": "query", "required": False, "schema": {"enum": ["json", "csv"]}},
        {
            "name": "table",
            "in": "query",
            "required": False,
            "schema": {"enum": list(service.TABLES)},
        },
    ),
    tags=("reports",),
)
def campaign_report(slug: str):
    """Totals, channels, top promoters and days under a model (the campaign's by default)."""
    campaign = get_campaign_or_404(db.session, slug)
    query = ReportQuery.model_validate(request.args.to_dict())
    if query.since and query.until and query.since > query.until:
        raise invalid([{"field": "from", "message": "must not be after 'to'"}])
    if query.format == "csv" and query.table is None:
        raise invalid(
            [{"field": "table", "message": "CSV needs table=channels, promoters or daily"}]
        )
    model = query.model or campaign.attribution_model
    rollup.try_fold(db.session)
    within = service.period(query.since, query.until)
    if query.format == "csv":
        rows = service.table_rows(db.session, campaign, query.table, model, within)
        return Response(
            csv.to_csv(rows, csv.COLUMNS[query.table]),
            mimetype="text/csv",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{campaign.slug}-{query.table}-{model}.csv"'
                )
            },
        )
    # The one answer still built as a dict: the staff page and the CSV read the same report.
    return Report.model_validate(service.build(db.session, campaign, model, within))
