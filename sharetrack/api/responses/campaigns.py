"""Campaigns, share links, API keys and leaflet batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from ...auth.api_keys import PREFIX
from ...leaflets.service import BatchRow
from ...models import ATTRIBUTION_MODELS, CAMPAIGN_STATUSES, ApiKey
from ...models import Campaign as CampaignRow
from .common import Documented, UtcTime


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
    payment_instructions: str | None = Field(
        description="How to pay without card payments, in plain text: shown after a pledge"
    )
    max_pledge_minor: int = Field(description="The largest pledge taken at once, minor units")
    created_at: UtcTime
    starts_at: UtcTime = Field(description="When it starts (default: its creation)")
    ends_at: UtcTime | None = Field(description="When it ends, if set")
    organiser_name: str | None = Field(description="Who runs it, named on its public pages")
    organiser_url: str | None = Field(description="The organiser's own site")
    accent_color: str | None = Field(description="#rrggbb for links and buttons on its pages")

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
            payment_instructions=campaign.payment_instructions,
            max_pledge_minor=campaign.max_pledge_minor,
            created_at=campaign.created_at,
            starts_at=campaign.opens_at,
            ends_at=campaign.ends_at,
            organiser_name=campaign.organiser_name,
            organiser_url=campaign.organiser_url,
            accent_color=campaign.accent_color,
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
    scopes: list[str] = Field(description="What the key may do: read, write, money, admin")
    campaigns: list[str] | None = Field(
        description="The slugs of the only campaigns it reaches; null: every campaign"
    )

    @classmethod
    def from_key(cls, row: ApiKey, campaigns: list[str] | None) -> ApiKeyInfo:
        return cls(
            name=row.name,
            prefix=PREFIX + row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            scopes=row.scopes.split(),
            campaigns=campaigns,
        )


class ApiKeyCreated(Documented):
    """A new key: the only time the key itself is shown."""

    key: str = Field(description="The key; it is not stored and never shown again")
    api_key: ApiKeyInfo


class ApiKeyList(Documented):
    api_keys: list[ApiKeyInfo]

    @classmethod
    def from_keys(cls, rows: Iterable[tuple[ApiKey, list[str] | None]]) -> ApiKeyList:
        return cls(api_keys=[ApiKeyInfo.from_key(row, slugs) for row, slugs in rows])


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


class StripeReceived(Documented):
    received: bool = Field(description="Always true: Stripe need not send it again")
    stored: bool = Field(description="Whether a pledge was recorded or changed")
    detail: str
