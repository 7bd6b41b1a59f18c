"""Response bodies, as pydantic models: their JSON Schemas are the contract's responses.

Every answer a view declares with `operation` passes through its model on the way out
(openapi.conform): a field sent but not documented, or documented but not sent, is an error.
docs/adr/1102-one-serialisation.md says why this rather than APIFlask or flask-smorest.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import ATTRIBUTION_MODELS, CAMPAIGN_STATUSES


class Documented(BaseModel):
    """A response body: exactly its fields, each one required (None is said, not left out)."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Documented):
    field: str = Field(description="The field, named as in the JSON body ('body' for all of it)")
    message: str


class ProblemDetails(Documented):
    """RFC 9457 problem details: every API error."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldError] = Field(description="Per-field errors (422), else empty")


class Campaign(Documented):
    slug: str
    title: str
    landing_url: str
    currency: str = Field(description="ISO 4217 code")
    target_minor: int = Field(description="Target in the currency's minor unit (pence, cents)")
    window_days: int = Field(description="Days a visit can earn credit for a pledge")
    status: Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]
    attribution_model: Literal[ATTRIBUTION_MODELS] = Field(  # type: ignore[valid-type]
        description="The credit model reports use unless a request names another"
    )
    pledge_page: bool = Field(description="Takes pledges on its own hosted page, /c/<slug>")
    summary: str | None = Field(description="The case, in plain text, shown on that page")
    max_pledge_minor: int = Field(description="The largest pledge taken at once, minor units")
    created_at: dt.datetime
    starts_at: dt.datetime = Field(description="When it starts (default: its creation)")
    ends_at: dt.datetime | None = Field(description="When it ends, if set")


class CampaignList(Documented):
    campaigns: list[Campaign]


class ShareLink(Documented):
    token: str = Field(description="The signed share token")
    url: str = Field(description="The link to share: /s/<token>")
    share_url: str = Field(description="The channel's share-intent URL with the link filled in")
    promoter: str = Field(
        description="The promoter's public code (in utm_content and reports; proves nothing)"
    )
    dashboard_url: str = Field(
        description="The promoter's private page, /p/<key>: keep it secret; its key is "
        "promoter_key for more links"
    )


class ApiKeyInfo(Documented):
    """A staff API key as listed: never the key or its hash."""

    name: str
    prefix: str = Field(description="The start of the key, 'st_' and 8 hex digits")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(description="To the hour: when it was last used")
    revoked_at: dt.datetime | None


class ApiKeyList(Documented):
    api_keys: list[ApiKeyInfo]


# Leaflet batches.
class LeafletBatchCreated(Documented):
    id: int
    token: str
    url: str
    qr_png_url: str
    qr_svg_url: str
    print_url: str = Field(description="The print sheet; its URL carries a signed key")


class LeafletBatch(Documented):
    id: int
    label: str
    place: str | None
    printed: int
    visits: int = Field(description="Human visits to the batch's link, scanned or typed")
    scans: int = Field(description="Human visits through the printed code")
    unique_scans: int
    pledges: int
    attributed_minor: int = Field(description="Direct credit under the campaign's model")
    per_100_printed_minor: int = Field(description="attributed_minor × 100 ÷ printed, rounded")


class LeafletList(Documented):
    leaflets: list[LeafletBatch]


# Pledges and reports.
class PledgeCreditOut(Documented):
    token: str
    channel: str
    amount_minor: int


class PledgeStored(Documented):
    external_id: str
    campaign: str
    amount_minor: int
    currency: str
    status: str
    source: str = Field(description="webhook, stripe, import, staff or form")
    confirmed: bool = Field(description="Vouched for by a signature or by staff")
    counted: bool = Field(description="Confirmed and live: counts toward totals and credit")
    occurred_at: str
    pledged_at: str
    model: str
    credits: list[PledgeCreditOut] = Field(description="Credits under the campaign's model")
    ignored_refs: int = Field(description="Refs that were forged, unknown or another campaign's")


class PledgeRow(Documented):
    id: int
    external_id: str
    amount_minor: int
    currency: str
    status: str
    source: str = Field(description="webhook, stripe, import, staff or form")
    confirmed: bool = Field(description="Vouched for by a signature or by staff")
    counted: bool = Field(description="Confirmed and live: counts toward totals and credit")
    supporter_name: str | None
    pledged_at: str
    occurred_at: str


class PledgePage(Documented):
    pledges: list[PledgeRow] = Field(description="Newest first")
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page; null: last")


class ReviewSide(Documented):
    status: str
    confirmed: bool


class PledgeReviewOut(Documented):
    at: str
    actor: str = Field(description="The staff account or API key that decided")
    from_: ReviewSide = Field(alias="from")
    to: ReviewSide


class PledgeReviewed(PledgeRow):
    credits: list[PledgeCreditOut] = Field(description="Credits under the campaign's model")
    review: PledgeReviewOut | None = Field(description="The change made; null if none was needed")


class StripeReceived(Documented):
    received: bool = Field(description="Always true: Stripe need not send it again")
    stored: bool = Field(description="Whether a pledge was recorded or changed")
    detail: str


class ReportTotals(Documented):
    raised_minor: int
    attributed_minor: int
    pledges: int
    attributed_pledges: int
    unconfirmed_minor: int = Field(description="Form pledges no payment or staff confirmed yet")
    unconfirmed_pledges: int
    shares: int
    clicks: int
    unique_clicks: int
    bot_clicks: int


class ReportChannel(Documented):
    channel: str
    shares: int
    clicks: int
    unique_clicks: int
    pledges: int
    attributed_minor: int
    indirect_minor: int
    per_share_minor: int | None
    per_click_minor: int | None
    cascade_factor: float
    estimate_minor: int = Field(description="One new share's expected credit (share-value)")
    low_minor: int
    high_minor: int
    basis: Literal["campaign", "pooled", "prior"]
    shows_amount: bool = Field(description="Whether the estimate may be shown")
    reason: Literal["no_shares", "below_one_unit", "interval_too_wide"] | None


class ReportPromoter(Documented):
    promoter: str
    display_name: str | None
    shares: int
    clicks: int
    pledges: int
    attributed_minor: int


class ReportDay(Documented):
    date: str
    clicks: int
    unique_clicks: int
    pledges: int
    attributed_minor: int


class Report(Documented):
    campaign: str
    currency: str
    model: str
    totals: ReportTotals
    channels: list[ReportChannel]
    promoters: list[ReportPromoter]
    daily: list[ReportDay]


# What one more share is worth (docs/estimate.md).
class ShareValueChannel(Documented):
    channel: str
    estimate_minor: int = Field(description="Expected direct credit of one new share, minor units")
    low_minor: int = Field(description="Lower end of the interval")
    high_minor: int = Field(description="Upper end of the interval")
    level: float = Field(description="The interval's level (0.9)")
    shares: int = Field(description="The campaign's shares on the channel it rests on")
    basis: Literal["campaign", "pooled", "prior"]
    estimate_with_cascade_minor: int = Field(description="Including its descendants' credit")
    shows_amount: bool = Field(description="Whether the figure may be shown (docs/estimate.md)")
    reason: Literal["no_shares", "below_one_unit", "interval_too_wide"] | None = Field(
        description="Why the figure is hidden; null when shown"
    )
    display: str | None = Field(description="estimate_minor in whole units ('£26'); null if hidden")


class ShareValue(Documented):
    campaign: str
    currency: str
    as_of: dt.datetime = Field(description="The hour the figures are computed for (UTC)")
    channels: list[ShareValueChannel]


# A forecast of the campaign's total at its end (docs/estimate.md, "Forecast").
class CampaignForecast(Documented):
    raised_minor: int = Field(description="Raised so far (live pledges)")
    target_minor: int
    ends_at: dt.datetime = Field(description="The campaign's end, or 30 days from now if unset")
    expected_minor: int = Field(description="Expected total raised by ends_at")
    low_minor: int = Field(description="Lower end of the interval")
    high_minor: int = Field(description="Upper end of the interval")
    level: float = Field(description="The interval's level (0.8)")
    probability_of_target: float = Field(description="Chance of reaching the target by ends_at")
    expected_target_date: dt.date | None = Field(
        description="The day the median path reaches the target (or reached it), else null"
    )
