"""The touch cookie: compact, signed, and holding only live (share, time, window) triples."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharetrack.signing import MAX_SHARE_ID, Tokens
from sharetrack.tracking import touches
from sharetrack.tracking.touches import DAY, Arrival

NOW = 1_795_000_000
signer = Tokens("key-now", older_keys=["key-before"]).touch_cookie
live = st.builds(
    lambda share_id, window, age: Arrival(share_id, NOW - age % (window * DAY), window),
    st.integers(1, MAX_SHARE_ID),
    st.integers(1, 365),
    st.integers(0, 10**9),
)


@given(st.lists(live, min_size=1, max_size=10))
def test_live_touches_round_trip_in_a_small_cookie(kept):
    value = touches.encode(signer, kept)
    assert touches.decode(signer, value, NOW) == kept
    assert len(value) <= 30 * len(kept) + 17
    assert set(value) <= set("0123456789abcdefghjkmnpqrstvwxyz-_.")


def test_closed_windows_and_future_times_are_dropped():
    kept = [
        Arrival(1, NOW - 31 * DAY, 30),
        Arrival(2, NOW - 29 * DAY, 30),
        Arrival(3, NOW + 60, 30),
    ]
    assert touches.decode(signer, touches.encode(signer, kept), NOW) == [kept[1]]


@given(st.data())
def test_any_change_to_the_value_voids_the_whole_cookie(data):
    value = touches.encode(signer, [Arrival(7, NOW - 5, 30), Arrival(9, NOW - 3, 30)])
    at = data.draw(st.integers(0, len(value) - 1))
    other = data.draw(
        st.sampled_from("0123456789abcdefghjkmnpqrstvwxyz-_.").filter(lambda c: c != value[at])
    )
    assert touches.decode(signer, value[:at] + other + value[at + 1 :], NOW) == []


def test_malformed_or_foreign_values_hold_nothing():
    other_key = Tokens("another-key").touch_cookie
    other_salt = Tokens("key-now").share_signer
    payload = "7-1nmb7c8-y"
    for value in [
        "",
        "not a cookie",
        "é" * 10,
        "x" * 5000,
        touches.encode(other_key, [Arrival(7, NOW, 30)]),
        other_salt.sign(payload).decode(),
        signer.sign("7-1nmb7c8").decode(),  # two numbers, not three
        signer.sign("7-1nmb7c8-y-1").decode(),
        signer.sign("7-!-y").decode(),
        signer.sign("").decode(),
    ]:
        assert touches.decode(signer, value, NOW) == []


def test_older_keys_still_read_a_cookie_signed_before_a_rotation():
    before = Tokens("key-before").touch_cookie
    kept = [Arrival(7, NOW - 5, 30)]
    assert touches.decode(signer, touches.encode(before, kept), NOW) == kept
