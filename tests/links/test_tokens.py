"""Share tokens: short, case-insensitive, one salt per purpose, rotatable keys. No app needed."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharetrack.signing import (
    ALPHABET,
    MAX_SHARE_ID,
    MAX_TOKEN_LENGTH,
    Tokens,
    b32decode_int,
    b32encode_int,
)

tokens = Tokens("key-now", older_keys=["key-before"])
ids = st.integers(min_value=1, max_value=MAX_SHARE_ID)
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")


@given(ids)
def test_round_trip_in_any_case(share_id):
    token = tokens.share_token(share_id)
    assert len(token) <= MAX_TOKEN_LENGTH
    assert set(token) <= set(ALPHABET + ".")
    assert set(token.upper()) <= QR_ALPHANUMERIC
    assert tokens.share_id(token) == share_id
    assert tokens.share_id(token.upper()) == share_id


@given(ids, st.data())
def test_o_i_and_l_read_as_zero_and_one(share_id, data):
    token = tokens.share_token(share_id)
    typed = "".join(data.draw(st.sampled_from({"0": "oO", "1": "iIlL"}.get(c, c))) for c in token)
    assert tokens.share_id(typed) == share_id


@given(ids, st.data())
def test_a_changed_character_never_verifies(share_id, data):
    token = tokens.share_token(share_id)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET + ".-_"))
    if replacement == token[position].lower():
        return
    altered = token[:position] + replacement + token[position + 1 :]
    assert tokens.share_id(altered) is None


@given(st.text(max_size=40))
def test_arbitrary_text_never_verifies_or_raises(text):
    assert tokens.share_id(text) is None


def test_old_keys_verify_and_the_newest_signs():
    before = Tokens("key-before")
    after_rotation = Tokens("key-now", older_keys=["key-before"])
    old_link = before.share_token(42)
    assert after_rotation.share_id(old_link) == 42
    assert after_rotation.share_token(42) != old_link
    assert Tokens("key-now").share_id(old_link) is None  # once the old key is dropped


def test_purposes_do_not_cross():
    dashboard = tokens.dashboard.dumps("abc")
    assert tokens.share_id(dashboard) is None
    assert tokens.dashboard_code(tokens.share_token(5)) is None
    assert tokens.dashboard_code(dashboard) == "abc"


def test_ids_beyond_the_24_character_budget_are_refused():
    with pytest.raises(ValueError):
        tokens.share_token(MAX_SHARE_ID + 1)
    with pytest.raises(ValueError):
        tokens.share_token(0)


@given(st.integers(min_value=0, max_value=MAX_SHARE_ID))
def test_base32_round_trip(n):
    assert b32decode_int(b32encode_int(n)) == n


def test_a_verified_token_is_remembered_and_a_forged_one_is_not(monkeypatch):
    from sharetrack import signing as module

    mine = Tokens("key-now")
    link = mine.share_token(42)
    forged = link[:-1] + ("1" if link[-1] == "0" else "0")
    assert mine.share_id(link) == 42 and mine.share_id(forged) is None

    def no_more_hmac(*_args):
        raise AssertionError("verified again")

    monkeypatch.setattr(module, "_verify_share_token", no_more_hmac)
    assert mine.share_id(link) == 42  # no HMAC the second time
    with pytest.raises(AssertionError):  # a forged token is checked every time
        mine.share_id(forged)


def test_the_remembered_tokens_are_bounded(monkeypatch):
    from sharetrack import signing as module

    monkeypatch.setattr(module, "VERIFIED_TOKENS", 10)
    mine = Tokens("key-now")
    for share_id in range(1, 26):
        assert mine.share_id(mine.share_token(share_id)) == share_id
        assert len(mine._verified) <= 10
