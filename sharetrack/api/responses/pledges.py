"""Pledges, their credits and staff reviews."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import ConfigDict, Field

from ...models import Campaign as CampaignRow
from ...models import Pledge, PledgeReview
from .common import Documented, UtcTime


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


class PledgeFacts(Documented):
    """What every answer about one pledge says of it."""

    external_id: str
    amount_minor: int
    currency: str
    status: str
    source: str = Field(description="webhook, stripe, import, staff or form")
    confirmed: bool = Field(description="Vouched for by a signature or by staff")
    counted: bool = Field(description="Confirmed and live: counts toward totals and credit")
    pledged_at: UtcTime
    occurred_at: UtcTime

    @staticmethod
    def facts_of(pledge: Pledge) -> dict:
        """These fields of a stored pledge, for the models that extend this one."""
        return {
            "external_id": pledge.external_id,
            "amount_minor": pledge.amount_minor,
            "currency": pledge.currency,
            "status": pledge.status,
            "source": pledge.source,
            "confirmed": pledge.verified,
            "counted": pledge.counted,
            "pledged_at": pledge.pledged_at,
            "occurred_at": pledge.occurred_at,
        }


class PledgeStored(PledgeFacts):
    campaign: str
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
            **cls.facts_of(pledge),
            campaign=campaign.slug,
            model=campaign.attribution_model,
            credits=credits,
            ignored_refs=ignored_refs,
        )


class PledgeRow(PledgeFacts):
    id: int
    supporter_name: str | None

    @classmethod
    def fields_of(cls, pledge: Pledge) -> dict:
        """The row's fields, for it and for the models that extend it."""
        return {**cls.facts_of(pledge), "id": pledge.id, "supporter_name": pledge.supporter_name}

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
