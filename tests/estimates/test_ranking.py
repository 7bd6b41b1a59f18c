"""Which figure may head the public page, and the order of its share buttons (pure rules)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharetrack.channels import LISTED_CHANNELS
from sharetrack.estimates.figures import MIN_HEADLINE_SHARES, headline, ranked, well_founded
from sharetrack.estimates.share_value import Estimate


def figure(pence: int, shares: int = 40, basis: str = "campaign") -> Estimate:
    """A figure with a tight interval, so only basis and shares decide."""
    return Estimate(pence, pence * 8 // 10, pence * 12 // 10, shares, basis, exposure=float(shares))


def test_only_the_campaigns_own_figure_on_enough_shares_heads_the_page():
    assert headline(figure(16_578), "GBP") == "£166"  # whole units
    assert headline(figure(16_578, basis="pooled"), "GBP") is None
    assert headline(figure(16_578, basis="prior"), "GBP") is None
    assert headline(figure(17_500, shares=1), "GBP") is None  # one Telegram share
    assert headline(figure(17_500, shares=MIN_HEADLINE_SHARES - 1), "GBP") is None
    assert headline(figure(17_500, shares=MIN_HEADLINE_SHARES), "GBP") == "£175"
    # A figure the public may not see at all (interval too wide) is no headline either.
    assert headline(Estimate(5_000, 100, 90_000, 40, "campaign", exposure=40.0), "GBP") is None


def test_well_founded_figures_lead_largest_first_and_thin_ones_do_not_jump_the_queue():
    estimates = {
        "telegram": figure(17_500, shares=1),  # the largest, but on one share
        "whatsapp": figure(9_000),
        "facebook": figure(16_600),
        "x": figure(30_000, basis="pooled"),
    }
    order = ranked(estimates, "GBP", LISTED_CHANNELS)
    assert order[:2] == ["facebook", "whatsapp"]
    # The rest keep the registry's order.
    assert order[2:] == [c for c in LISTED_CHANNELS if c not in ("facebook", "whatsapp")]


def test_without_figures_the_registry_order_stands():
    assert ranked({}, "GBP", LISTED_CHANNELS) == list(LISTED_CHANNELS)


@given(
    st.dictionaries(
        st.sampled_from(LISTED_CHANNELS),
        st.builds(
            figure,
            st.integers(0, 10**7),
            st.integers(0, 50),
            st.sampled_from(["campaign", "pooled", "prior"]),
        ),
    )
)
def test_the_ranking_is_a_permutation_headed_by_well_founded_figures_in_order(estimates):
    order = ranked(estimates, "GBP", LISTED_CHANNELS)
    assert sorted(order) == sorted(LISTED_CHANNELS)
    founded = [c for c in order if c in estimates and well_founded(estimates[c], "GBP")]
    assert order[: len(founded)] == founded
    amounts = [estimates[c].estimate_minor for c in founded]
    assert amounts == sorted(amounts, reverse=True)
