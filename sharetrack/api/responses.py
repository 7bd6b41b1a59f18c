"""Response bodies, as pydantic models: their JSON Schemas are the contract's responses.

Every answer a view declares with `operation` is built as its model, here, from the domain's
own objects (`Campaign.from_campaign(row)`), and written out by the model (openapi.conform):
there is no second shape of it anywhere. docs/adr/1102-one-serialisation.md says why this
rather than APIFlask or flask-smorest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from ..auth.api_keys import PREFIX
from ..estimates.figures import ChannelEstimate, display, hidden_reason, shows_amount
from ..estimates.forecast import LEVEL, Forecast
from ..leaflets.service import BatchRow
from ..models import ATTRIBUTION_MODELS, CAMPAIGN_STATUSES, ApiKey, Pledge, PledgeReview
from ..models import Campaign as CampaignRow
from ..periods import iso_utc

# Every time in an answer: naive UTC written as ISO 8601 with a Z, by the one writer.
UtcTime = Annotated[
    dt.datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


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
    created_at: UtcTime
    starts_at: UtcTime = Field(description="When it starts (default: its creation)")
    ends_at: UtcTime | None = Field(description="When it ends, if set")

    @classmethod
    def from_campaign(cls, campaign: CampaignRow) -> Campaign:
        return cls(
            slug=campaign.slug,
            title=campaign.title,
            landing_url=campaign.landing_url,
            currency=campaign.currency,
            target_minor=campaign.target_minor,
            window_days=campaign.window_days,
            status=campaign.status,
            attribution_model=campaign.attribution_model,
            pledge_page=campaign.pledge_page,
            summary=campaign.summary,
            max_pledge_minor=campaign.max_pledge_minor,
            created_at=campaign.created_at,
            starts_at=campaign.opens_at,
            ends_at=campaign.ends_at,
        )


class CampaignList(Documented):
    campaigns: list[Campaign]

    @classmethod
    def from_campaigns(cls, campaigns: Iterable[CampaignRow]) -> CampaignList:
        return cls(campaigns=[Campaign.from_campaign(c) for c in campaigns])


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
    created_at: UtcTime
    last_used_at: UtcTime | None = Field(description="To the hour: when it was last used")
    revoked_at: UtcTime | None

    @classmethod
    def from_key(cls, row: ApiKey) -> ApiKeyInfo:
        return cls(
            name=row.name,
            prefix=PREFIX + row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


class ApiKeyList(Documented):
    api_keys: list[ApiKeyInfo]

    @classmethod
    def from_keys(cls, rows: Iterable[ApiKey]) -> ApiKeyList:
        return cls(api_keys=[ApiKeyInfo.from_key(row) for row in rows])


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

    @classmethod
    def from_row(cls, row: BatchRow) -> LeafletBatch:
        return cls(
            id=row.id,
            label=row.label,
            place=row.place,
            printed=row.printed,
            visits=row.visits,
            scans=row.scans,
            unique_scans=row.unique_scans,
            pledges=row.money.pledges,
            attributed_minor=row.money.attributed_minor,
            per_100_printed_minor=row.money.per_100_printed_minor,
        )


class LeafletList(Documented):
    leaflets: list[LeafletBatch]

    @classmethod
    def from_rows(cls, rows: Iterable[BatchRow]) -> LeafletList:
        return cls(leaflets=[LeafletBatch.from_row(row) for row in rows])


# Pledges and reports.
class PledgeCreditOut(Documented):
    token: str
    channel: str
    amount_minor: int

    @classmethod
    def from_credits(
        cls, credits: Iterable[tuple[int, str, int]], share_token: Callable[[int], str]
    ) -> list[PledgeCreditOut]:
        return [
            cls(token=share_token(share_id), channel=channel, amount_minor=amount)
            for share_id, channel, amount in credits
        ]


class PledgeStored(Documented):
    external_id: str
    campaign: str
    amount_minor: int
    currency: str
    status: str
    source: str = Field(description="webhook, stripe, import, staff or form")
    confirmed: bool = Field(description="Vouched for by a signature or by staff")
    counted: bool = Field(description="Confirmed and live: counts toward totals and credit")
    occurred_at: UtcTime
    pledged_at: UtcTime
    model: str
    credits: list[PledgeCreditOut] = Field(description="Credits under the campaign's model")
    ignored_refs: int = Field(description="Refs that were forged, unknown or another campaign's")

    @classmethod
    def from_pledge(
        cls,
        pledge: Pledge,
        campaign: CampaignRow,
        credits: list[PledgeCreditOut],
        ignored_refs: int,
    ) -> PledgeStored:
        return cls(
            external_id=pledge.external_id,
            campaign=campaign.slug,
            amount_minor=pledge.amount_minor,
            currency=pledge.currency,
            status=pledge.status,
            source=pledge.source,
            confirmed=pledge.verified,
            counted=pledge.counted,
            occurred_at=pledge.occurred_at,
            pledged_at=pledge.pledged_at,
            model=campaign.attribution_model,
            credits=credits,
            ignored_refs=ignored_refs,
        )


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
    pledged_at: UtcTime
    occurred_at: UtcTime

    @staticmethod
    def fields_of(pledge: Pledge) -> dict:
        """The row's fields, for it and for the models that extend it."""
        return {
            "id": pledge.id,
            "external_id": pledge.external_id,
            "amount_minor": pledge.amount_minor,
            "currency": pledge.currency,
            "status": pledge.status,
            "source": pledge.source,
            "confirmed": pledge.verified,
            "counted": pledge.counted,
            "supporter_name": pledge.supporter_name,
            "pledged_at": pledge.pledged_at,
            "occurred_at": pledge.occurred_at,
        }

    @classmethod
    def from_pledge(cls, pledge: Pledge) -> PledgeRow:
        return cls(**cls.fields_of(pledge))


class PledgePage(Documented):
    pledges: list[PledgeRow] = Field(description="Newest first")
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page; null: last")


class ReviewSide(Documented):
    status: str
    confirmed: bool


class PledgeReviewOut(Documented):
    model_config = ConfigDict(populate_by_name=True)

    at: UtcTime
    actor: str = Field(description="The staff account or API key that decided")
    from_: ReviewSide = Field(alias="from")
    to: ReviewSide

    @classmethod
    def from_review(cls, review: PledgeReview) -> PledgeReviewOut:
        return cls(
            at=review.at,
            actor=review.actor,
            from_=ReviewSide(status=review.from_status, confirmed=review.from_verified),
            to=ReviewSide(status=review.to_status, confirmed=review.to_verified),
        )


class PledgeReviewed(PledgeRow):
    credits: list[PledgeCreditOut] = Field(description="Credits under the campaign's model")
    review: PledgeReviewOut | None = Field(description="The change made; null if none was needed")

    @classmethod
    def from_review(
        cls, pledge: Pledge, credits: list[PledgeCreditOut], review: PledgeReview | None
    ) -> PledgeReviewed:
        done = PledgeReviewOut.from_review(review) if review is not None else None
        return cls(**cls.fields_of(pledge), credits=credits, review=done)


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

    @classmethod
    def from_estimate(cls, item: ChannelEstimate, currency: str) -> ShareValueChannel:
        e = item.estimate
        return cls(
            channel=item.channel,
            estimate_minor=e.estimate_minor,
            low_minor=e.low_minor,
            high_minor=e.high_minor,
            level=e.level,
            shares=e.shares,
            basis=e.basis,
            estimate_with_cascade_minor=item.with_cascade_minor,
            shows_amount=shows_amount(e, currency),
            reason=hidden_reason(e, currency),
            display=display(e, currency),
        )


class ShareValue(Documented):
    campaign: str
    currency: str
    as_of: UtcTime = Field(description="The hour the figures are computed for (UTC)")
    channels: list[ShareValueChannel]


# A forecast of the campaign's total at its end (docs/estimate.md, "Forecast").
class CampaignForecast(Documented):
    raised_minor: int = Field(description="Raised so far (live pledges)")
    target_minor: int
    ends_at: UtcTime = Field(description="The campaign's end, or 30 days from now if unset")
    expected_minor: int = Field(description="Expected total raised by ends_at")
    low_minor: int = Field(description="Lower end of the interval")
    high_minor: int = Field(description="Upper end of the interval")
    level: float = Field(description="The interval's level (0.8)")
    probability_of_target: float = Field(description="Chance of reaching the target by ends_at")
    expected_target_date: dt.date | None = Field(
        description="The day the median path reaches the target (or reached it), else null"
    )

    @classmethod
    def from_forecast(cls, forecast: Forecast) -> CampaignForecast:
        return cls(
            raised_minor=forecast.raised_minor,
            target_minor=forecast.target_minor,
            ends_at=forecast.ends_at,
            expected_minor=forecast.expected_minor,
            low_minor=forecast.low_minor,
            high_minor=forecast.high_minor,
            level=LEVEL,
            probability_of_target=forecast.probability_of_target,
            expected_target_date=forecast.expected_target_date,
        )
