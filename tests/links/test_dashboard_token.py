"""Old promoter page addresses (dashboard tokens): their own salt, no changed character verifies."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from sharetrack.signing import Tokens

TOKENS = Tokens("test-secret-key-0123456789")
URLSAFE = string.ascii_letters + string.digits + "-_."


@given(
    code=st.text(alphabet="0123456789abcdefghjkmnpqrstvwxyz", min_size=16, max_size=16),
    position=st.integers(min_value=0),
    replacement=st.sampled_from(URLSAFE),
)
def test_a_changed_character_never_verifies(code, position, replacement):
    token = TOKENS.dashboard.dumps(code)
    assert TOKENS.dashboard_code(token) == code
    i = position % len(token)
    changed = token[:i] + replacement + token[i + 1 :]
    if changed != token:
        assert TOKENS.dashboard_code(changed) is None


def test_the_last_characters_spare_bits_do_not_make_a_second_token():
    token = TOKENS.dashboard.dumps("0123456789abcdef")
    twins = [token[:-1] + c for c in URLSAFE if c != token[-1]]
    assert [t for t in twins if TOKENS.dashboard_code(t) is not None] == []


def test_other_tokens_of_the_app_do_not_open_a_page():
    code = "0123456789abcdef"
    assert TOKENS.dashboard_code(TOKENS.promoter_cookie.dumps(code)) is None
    assert TOKENS.dashboard_code(TOKENS.share_token(42)) is None
    older = Tokens("an-older-key-9876543210")
    assert (
        Tokens("test-secret-key-0123456789", ["an-older-key-9876543210"]).dashboard_code(
            older.dashboard.dumps(code)
        )
        == code
    )
