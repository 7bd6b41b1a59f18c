"""The five credit models as pure functions: exact sums, and each model's own shape."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharetrack.attribution.rules import Arrival, credit, eligible, weights
from sharetrack.models import ATTRIBUTION_MODELS

PLEDGED = dt.datetime(2026, 3, 1, 12, 0)
DAY = dt.timedelta(days=1)


def touches_at(*days_before: float, shares=None) -> list[Arrival]:
    shares = shares or range(1, len(days_before) + 1)
    return [Arrival(PLEDGED - d * DAY, s) for d, s in zip(days_before, shares, strict=True)]


touch_lists = st.lists(
    st.builds(
        Arrival,
        at=st.datetimes(min_value=PLEDGED - 30 * DAY, max_value=PLEDGED),
        share_id=st.integers(min_value=1, max_value=8),
    ),
    min_size=1,
    max_size=12,
)
amounts = st.integers(min_value=1, max_value=10**10)


@pytest.mark.parametrize("model", ATTRIBUTION_MODELS)
@given(amount=amounts, touches=touch_lists)
def test_credits_add_up_exactly_to_the_amount(model, amount, touches):
    credits = credit(model, amount, touches, PLEDGED)
    assert sum(credits.values()) == amount
    assert all(v > 0 for v in credits.values())
    assert set(credits) <= {t.share_id for t in touches}


@pytest.mark.parametrize("model", ATTRIBUTION_MODELS)
@given(amount=amounts, touches=touch_lists)
def test_credits_do_not_depend_on_the_order_touches_are_given(model, amount, touches):
    assert credit(model, amount, touches, PLEDGED) == credit(
        model, amount, list(reversed(touches)), PLEDGED
    )


@pytest.mark.parametrize("model", ATTRIBUTION_MODELS)
def test_no_touch_no_credit(model):
    assert credit(model, 1000, [], PLEDGED) == {}


@pytest.mark.parametrize("model", ATTRIBUTION_MODELS)
def test_one_touch_takes_everything(model):
    assert credit(model, 1234, touches_at(3), PLEDGED) == {1: 1234}


def test_last_and_first_click():
    touches = touches_at(9, 5, 1)
    assert credit("last_click", 1000, touches, PLEDGED) == {3: 1000}
    assert credit("first_click", 1000, touches, PLEDGED) == {1: 1000}


def test_linear_shares_equally_and_merges_repeat_shares():
    assert credit("linear", 1000, touches_at(9, 5, 1), PLEDGED) == {1: 333, 2: 333, 3: 334}
    assert credit("linear", 900, touches_at(9, 5, 1, shares=[7, 8, 7]), PLEDGED) == {
        7: 600,
        8: 300,
    }


def test_time_decay_halves_every_seven_days():
    assert credit("time_decay", 3000, touches_at(7, 0), PLEDGED) == {1: 1000, 2: 2000}
    assert credit("time_decay", 5000, touches_at(14, 0), PLEDGED) == {1: 1000, 2: 4000}


@given(amount=amounts, touches=touch_lists)
def test_time_decay_never_favours_an_older_touch(amount, touches):
    ordered = sorted(touches)
    w = weights("time_decay", ordered, PLEDGED)
    assert w == sorted(w)


def test_position_based():
    assert credit("position_based", 1000, touches_at(9, 1), PLEDGED) == {1: 500, 2: 500}
    assert credit("position_based", 1000, touches_at(9, 5, 1), PLEDGED) == {
        1: 400,
        2: 200,
        3: 400,
    }
    assert credit("position_based", 1000, touches_at(9, 6, 4, 1), PLEDGED) == {
        1: 400,
        2: 100,
        3: 100,
        4: 400,
    }


@given(
    amount=st.integers(min_value=100, max_value=10**10), n=st.integers(min_value=3, max_value=12)
)
def test_position_based_gives_forty_forty_twenty(amount, n):
    touches = touches_at(*range(n, 0, -1))
    credits = credit("position_based", amount, touches, PLEDGED)
    assert abs(credits.get(1, 0) - amount * 0.4) <= 1
    assert abs(credits.get(n, 0) - amount * 0.4) <= 1
    # The middle's sum is what the ends leave, so it is off by less than their two roundings.
    assert abs(sum(credits.get(i, 0) for i in range(2, n)) - amount * 0.2) < 2


def test_eligible_keeps_the_window_before_the_pledge():
    inside, edge, too_old, after = touches_at(29, 30, 30.01, -0.01)
    assert eligible([inside, edge, too_old, after], PLEDGED, 30) == [edge, inside]


def test_unknown_model_is_refused():
    with pytest.raises(ValueError):
        credit("most_clicks", 100, touches_at(1), PLEDGED)


def test_the_example_in_docs_attribution():
    touches = [
        Arrival(PLEDGED - 7 * DAY, 1),
        Arrival(PLEDGED - DAY, 2),
        Arrival(PLEDGED - dt.timedelta(hours=1), 3),
    ]
    assert credit("last_click", 10_000, touches, PLEDGED) == {3: 10_000}
    assert credit("first_click", 10_000, touches, PLEDGED) == {1: 10_000}
    assert credit("linear", 10_000, touches, PLEDGED) == {1: 3333, 2: 3333, 3: 3334}
    assert credit("time_decay", 10_000, touches, PLEDGED) == {1: 2082, 2: 3771, 3: 4147}
    assert credit("position_based", 10_000, touches, PLEDGED) == {1: 4000, 2: 2000, 3: 4000}
