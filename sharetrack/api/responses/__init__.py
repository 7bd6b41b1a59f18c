"""Response bodies, as pydantic models: their JSON Schemas are the contract's responses.

Every answer a view declares with `operation` is built as its model, from the domain's own
objects (`Campaign.from_campaign(row)`), and written out by the model (openapi.conform):
there is no second shape of it anywhere. docs/adr/1102-one-serialisation.md says why this
rather than APIFlask or flask-smorest. One module per area; every model is importable from
here.
"""

from __future__ import annotations

from .campaigns import (
    ApiKeyCreated,
    ApiKeyInfo,
    ApiKeyList,
    Campaign,
    CampaignList,
    LeafletBatch,
    LeafletBatchCreated,
    LeafletList,
    ShareLink,
    StripeReceived,
)
from .common import Documented, FieldError, ProblemDetails, UtcTime
from .experiments import ExperimentCreated, ExperimentResult, VariantResult
from .pledges import (
    PledgeCreditOut,
    PledgePage,
    PledgeReviewed,
    PledgeReviewOut,
    PledgeRow,
    PledgeStored,
    ReviewSide,
)
from .reports import (
    CampaignForecast,
    Report,
    ReportChannel,
    ReportDay,
    ReportPromoter,
    ReportTotals,
    ShareValue,
    ShareValueChannel,
)
from .tasks import TaskFailureList, TaskFailureOut
from .webhooks import (
    WebhookDeliveryList,
    WebhookDeliveryOut,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookSecret,
)

__all__ = [
    "WebhookDeliveryList",
    "WebhookDeliveryOut",
    "WebhookEndpointList",
    "WebhookEndpointOut",
    "WebhookSecret",
    "ApiKeyCreated",
    "VariantResult",
    "ApiKeyInfo",
    "ApiKeyList",
    "Campaign",
    "CampaignForecast",
    "CampaignList",
    "Documented",
    "ExperimentCreated",
    "ExperimentResult",
    "FieldError",
    "LeafletBatch",
    "LeafletBatchCreated",
    "LeafletList",
    "PledgeCreditOut",
    "PledgePage",
    "PledgeReviewOut",
    "PledgeReviewed",
    "PledgeRow",
    "PledgeStored",
    "ProblemDetails",
    "Report",
    "ReportChannel",
    "ReportDay",
    "ReportPromoter",
    "ReportTotals",
    "ReviewSide",
    "ShareLink",
    "ShareValue",
    "ShareValueChannel",
    "StripeReceived",
    "TaskFailureList",
    "TaskFailureOut",
    "UtcTime",
]
