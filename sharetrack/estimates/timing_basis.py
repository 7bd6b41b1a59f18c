"""When refs are too few: a campaign's share values rest on the timing of ref-less pledges.

Pure rules (docs/estimate.md, "When refs are too few"). A campaign's own ref-carrying credit is
measured by its *information*: its credit events counted as the independent events they are
worth (events over the overdispersion factor, summed over its channels), not by its shares.
Below MIN_REF_INFORMATION, with at least MIN_REFLESS_PLEDGES pledges without a ref and more of
them than REFLESS_OVER_REF times that information, the money the timing model gives a channel
(estimates/timing.py, over the campaign's clicks) says more about what its shares raise than
the few refs do. The channel's value is then

    (credited money + the timing model's money for the channel) / the channel's exposure

(matured-share equivalents, as for every estimate), with basis "timing". Its interval is the
timing model's 80% interval carried to the estimate's 90% level and widened by WIDEN on the log
scale: the timing fit treats the delay's shape and the baseline's form as known.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

from .share_value import LEVEL, Estimate
from .timing import LEVEL as TIMING_LEVEL

# Ten independent events put a rate within about ±30%; fewer, and a campaign's own value is
# mostly the pool's.
MIN_REF_INFORMATION = 10.0
MIN_REFLESS_PLEDGES = 10
REFLESS_OVER_REF = 2.0
MIN_EXPOSURE = 1.0  # matured-share equivalents a channel needs for a value per share
WIDEN = 1.5


def _z(level: float) -> float:
    """The standard normal quantile of a central interval of `level` (bisection on erf)."""
    lo, hi = 0.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if math.erf(mid / math.sqrt(2)) < level:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


STRETCH = WIDEN * _z(LEVEL) / _z(TIMING_LEVEL)  # log-scale factor from the 80% to a wide 90%


def ref_information(estimates: Iterable[Estimate]) -> float:
    """The campaign's ref-carrying credit as independent events, over all its channels."""
    return sum(e.information for e in estimates)


def rests_on_timing(information: float, refless_pledges: int) -> bool:
    """Whether a campaign's refs are too few and its ref-less pledges many enough."""
    return (
        information < MIN_REF_INFORMATION
        and refless_pledges >= MIN_REFLESS_PLEDGES
        and refless_pledges > REFLESS_OVER_REF * information
    )


def on_timing(estimate: Estimate, money: tuple[int, int, int]) -> Estimate | None:
    """The estimate resting on the timing model's (expected, low, high) ref-less money of the
    channel; None when the channel has too little exposure or the model gave it nothing."""
    expected, low, high = money
    if estimate.exposure < MIN_EXPOSURE or expected <= 0:
        return None
    point = (estimate.credited_minor + expected) / estimate.exposure
    low_value = (estimate.credited_minor + low) / estimate.exposure
    high_value = (estimate.credited_minor + high) / estimate.exposure
    widened_low = point * (low_value / point) ** STRETCH if low_value > 0 else 0.0
    widened_high = point * (high_value / point) ** STRETCH
    return dataclasses.replace(
        estimate,
        estimate_minor=int(round(point)),
        low_minor=int(math.floor(widened_low)),
        high_minor=int(math.ceil(widened_high)),
        basis="timing",
        own_weight=0.0,
    )
