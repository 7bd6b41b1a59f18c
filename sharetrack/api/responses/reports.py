"""Reports, share values and forecasts."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ...estimates.figures import ChannelEstimate, display, hidden_reason, shows_amount
from ...estimates.forecast import LEVEL, Forecast
from .common import Documented, UtcTime


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
    without_ref_minor: int = Field(description="Counted pledges that carry no ref: their money")
    without_ref_pledges: int = Field(description="Counted pledges that carry no ref")
    baseline_minor: int = Field(
        description="Of the money without a ref, what timing puts down to no share (estimate)"
    )


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
    basis: Literal["campaign", "pooled", "prior", "timing"] = Field(
        description="What the estimate rests on; 'timing': the timing of ref-less pledges, "
        "where the campaign's refs are too few (docs/estimate.md)"
    )
    shows_amount: bool = Field(description="Whether the estimate may be shown")
    reason: (
        Literal["no_shares", "too_new", "rests_on_timing", "below_one_unit", "interval_too_wide"]
        | None
    )
    timing_minor: int = Field(
        description="Money of ref-less pledges the channel's click timing suggests (estimate; "
        "never part of attributed_minor)"
    )
    timing_low_minor: int = Field(description="Lower end of timing_minor's 80% interval")
    timing_high_minor: int = Field(description="Upper end of timing_minor's 80% interval")


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
    basis: Literal["campaign", "pooled", "prior", "timing"] = Field(
        description="What the figure rests on: the campaign's own shares, other campaigns "
        "(pooled), other channels (prior), or the timing of ref-less pledges where the "
        "campaign's refs are too few (timing; never a headline)"
    )
    estimate_with_cascade_minor: int = Field(description="Including its descendants' credit")
    shows_amount: bool = Field(description="Whether the figure may be shown (docs/estimate.md)")
    reason: (
        Literal["no_shares", "too_new", "rests_on_timing", "below_one_unit", "interval_too_wide"]
        | None
    ) = Field(description="Why the figure is hidden; null when shown")
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
