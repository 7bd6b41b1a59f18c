"""Response bodies, as pydantic models: their JSON Schemas are the contract's responses.

The views build plain dicts; schemathesis checks in CI that what they send matches these.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from ..models import CAMPAIGN_STATUSES


class FieldError(BaseModel):
    field: str = Field(description="The field, named as in the JSON body ('body' for all of it)")
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details: every API error."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldError] = Field(description="Per-field errors (422), else empty")


class Campaign(BaseModel):
    slug: str
    title: str
    landing_url: str
    currency: str = Field(description="ISO 4217 code")
    target_minor: int = Field(description="Target in the currency's minor unit (pence, cents)")
    window_days: int = Field(description="Days a visit can earn credit for a pledge")
    status: Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]
    max_pledge_minor: int = Field(description="The largest pledge taken at once, minor units")
    created_at: dt.datetime


class CampaignList(BaseModel):
    campaigns: list[Campaign]


class ShareLink(BaseModel):
    token: str = Field(description="The signed share token")
    url: str = Field(description="The link to share: /s/<token>")
    share_url: str = Field(description="The channel's share-intent URL with the link filled in")
    promoter: str = Field(description="The promoter's public code")
    dashboard_url: str = Field(description="The promoter's private page (keep it secret)")


class ApiKeyInfo(BaseModel):
    """A staff API key as listed: never the key or its hash."""

    name: str
    prefix: str = Field(description="The start of the key, 'st_' and 8 hex digits")
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyInfo]


# Leaflet batches.
class LeafletBatchCreated(BaseModel):
    id: int
    token: str
    url: str
    qr_png_url: str
    qr_svg_url: str
    print_url: str = Field(description="The print sheet; its URL carries a signed key")


class LeafletBatch(BaseModel):
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


class LeafletList(BaseModel):
    leaflets: list[LeafletBatch]


# Pledges and reports.
class PledgeCreditOut(BaseModel):
    token: str
    channel: str
    amount_minor: int


class PledgeStored(BaseModel):
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


class PledgeRow(BaseModel):
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


class PledgePage(BaseModel):
    pledges: list[PledgeRow] = Field(description="Newest first")
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page; null: last")


class ReviewSide(BaseModel):
    status: str
    confirmed: bool


class PledgeReviewOut(BaseModel):
    at: str
    actor: str = Field(description="The staff account or API key that decided")
    from_: ReviewSide = Field(alias="from")
    to: ReviewSide


class PledgeReviewed(PledgeRow):
    credits: list[PledgeCreditOut] = Field(description="Credits under the campaign's model")
    review: PledgeReviewOut | None = Field(description="The change made; null if none was needed")


class StripeReceived(BaseModel):
    received: bool = Field(description="Always true: Stripe need not send it again")
    stored: bool = Field(description="Whether a pledge was recorded or changed")
    detail: str


class ReportTotals(BaseModel):
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


class ReportChannel(BaseModel):
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


class ReportPromoter(BaseModel):
    promoter: str
    display_name: str | None
    shares: int
    clicks: int
    pledges: int
    attributed_minor: int


class ReportDay(BaseModel):
    date: str
    clicks: int
    unique_clicks: int
    pledges: int
    attributed_minor: int


class Report(BaseModel):
    campaign: str
    currency: str
    model: str
    totals: ReportTotals
    channels: list[ReportChannel]
    promoters: list[ReportPromoter]
    daily: list[ReportDay]


# What one more share is worth (docs/estimate.md).
class ShareValueChannel(BaseModel):
    channel: str
    estimate_minor: int = Field(description="Expected direct credit of one new share, minor units")
    low_minor: int = Field(description="Lower end of the interval")
    high_minor: int = Field(description="Upper end of the interval")
    level: float = Field(description="The interval's level (0.9)")
    shares: int = Field(description="The campaign's shares on the channel it rests on")
    basis: Literal["campaign", "pooled", "prior"]
    estimate_with_cascade_minor: int = Field(description="Including its descendants' credit")
    display: str = Field(description="estimate_minor in whole units: '£26'")


class ShareValue(BaseModel):
    campaign: str
    currency: str
    as_of: dt.datetime = Field(description="The hour the figures are computed for (UTC)")
    channels: list[ShareValueChannel]
