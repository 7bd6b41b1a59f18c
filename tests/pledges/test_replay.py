"""pledges.service.replay: the pure rule every recorder follows (no app)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sharetrack.pledges.service import STATUS_RANK, Event, replay

T0 = dt.datetime(2026, 5, 1, 12, 0)

events = st.lists(
    st.builds(
        Event,
        st.integers(0, 5).map(lambda m: T0 + dt.timedelta(minutes=m)),
        st.sampled_from(sorted(STATUS_RANK)),
        st.integers(1, 10**10),
    ),
    min_size=1,
    max_size=8,
)


@given(events=events, data=st.data())
def test_a_payment_made_once_is_never_raised_by_a_later_event_whatever_the_order(events, data):
    shuffled = data.draw(st.permutations(events))
    state = replay(events, paid_once=True)
    assert state == replay(shuffled, paid_once=True)
    assert state.amount_minor == min(e.amount_minor for e in events)


def test_a_refund_claiming_a_larger_capture_leaves_what_was_paid():
    paid = Event(T0, "paid", 1000)
    refund = Event(T0 + dt.timedelta(minutes=1), "paid", 4_999_999)  # 5,000,000 less 1
    assert replay([paid, refund], paid_once=True).amount_minor == 1000
    # Other platforms' deliveries are snapshots: the newest says what the pledge is now.
    assert replay([paid, refund]).amount_minor == 4_999_999
