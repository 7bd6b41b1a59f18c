"""The QR rules as pure functions: payload, capacity, options, validators, the memo."""

from __future__ import annotations

from fractions import Fraction

import pytest
import qrcode
from hypothesis import given
from hypothesis import strategies as st
from qrcode.constants import ERROR_CORRECT_Q
from qrcode.util import MODE_8BIT_BYTE, QRData

from sharetrack.leaflets import qr
from sharetrack.leaflets.service import per_100_printed
from sharetrack.signing import MAX_SHARE_ID, MAX_TOKEN_LENGTH, Tokens

TOKENS = Tokens("test-secret-key-0123456789")
LONGEST_TOKEN = TOKENS.share_token(MAX_SHARE_ID)
# Service origins of 20, 30 and 34 characters (34 is the longest the target is set for).
ORIGINS = {
    20: "https://a.example.io",
    30: "https://share.campaign.example",
    34: "https://share.our-campaign.example",
}


def test_origins_have_the_lengths_named():
    assert {n: len(o) for n, o in ORIGINS.items()} == {20: 20, 30: 30, 34: 34}
    assert len(LONGEST_TOKEN) == MAX_TOKEN_LENGTH


def test_payload_is_the_scan_link_in_uppercase():
    token = TOKENS.share_token(42)
    assert qr.payload("https://st.example", token) == f"HTTPS://ST.EXAMPLE/S/{token.upper()}/Q"
    assert qr.payload("http://127.0.0.1:5000/", token).startswith("HTTP://127.0.0.1:5000/S/")


@given(share_id=st.integers(1, MAX_SHARE_ID), key=st.text(min_size=1, max_size=40))
def test_every_payload_is_alphanumeric_mode_safe(share_id, key):
    text = qr.payload("https://share.our-campaign.example", Tokens(key).share_token(share_id))
    assert set(text) <= qr.ALPHANUMERIC
    assert "?" not in text and "=" not in text


@pytest.mark.parametrize("length", sorted(ORIGINS))
def test_longest_link_is_version_4_or_less_at_q_and_byte_mode_would_need_5(length):
    text = qr.payload(ORIGINS[length], LONGEST_TOKEN)
    assert qr.make_symbol(text, "Q").version <= 4
    assert len(qr.matrix(text, "Q")) <= 33 + 2 * qr.QUIET_ZONE

    as_bytes = qrcode.QRCode(error_correction=ERROR_CORRECT_Q)
    as_bytes.add_data(QRData(text.encode(), mode=MODE_8BIT_BYTE))
    as_bytes.make(fit=True)
    assert as_bytes.version >= 5


@pytest.mark.parametrize(
    "origin",
    [
        "https://st.example/share",  # a path would be uppercased and stop routing
        "https://st.example?x=1",
        "ftp://st.example",
        "http:///",  # what a request with an invalid Host header gives as its origin
        "https://bad_host.example",
        "https://[::1]:8000",
        "https://bücher.example",
    ],
)
def test_origins_outside_alphanumeric_mode_are_refused(origin):
    with pytest.raises(qr.UnencodableOrigin):
        qr.payload(origin, TOKENS.share_token(1))


def test_options_default_to_level_q_and_512_pixels():
    assert qr.options("png", None, None) == qr.Options("png", "Q", 512)
    assert qr.options("svg", None, None) == qr.Options("svg", "Q", None)
    assert qr.options("png", "128", "h") == qr.Options("png", "H", 128)
    assert qr.options("png", "2048", "Q") == qr.Options("png", "Q", 2048)


@pytest.mark.parametrize(
    "size", ["127", "2049", "0", "-200", "", "abc", "1e3", "+256", " 256", "٢٥٦", "99999999"]
)
def test_sizes_out_of_range_are_refused(size):
    with pytest.raises(qr.BadOptions) as caught:
        qr.options("png", size, None)
    assert [e["field"] for e in caught.value.errors] == ["size"]


@pytest.mark.parametrize("level", ["L", "M", "", "QQ", "x"])
def test_levels_other_than_q_and_h_are_refused(level):
    with pytest.raises(qr.BadOptions) as caught:
        qr.options("svg", None, level)
    assert [e["field"] for e in caught.value.errors] == ["level"]


def test_every_bad_option_is_reported_at_once():
    with pytest.raises(qr.BadOptions) as caught:
        qr.options("png", "5", "L")
    assert [e["field"] for e in caught.value.errors] == ["level", "size"]


def test_etag_names_exactly_one_image():
    text = qr.payload("https://st.example", TOKENS.share_token(7))
    other = qr.payload("https://st.example", TOKENS.share_token(8))
    tags = {
        qr.etag(text, qr.Options("png", "Q", 512)),
        qr.etag(text, qr.Options("png", "Q", 513)),
        qr.etag(text, qr.Options("png", "H", 512)),
        qr.etag(text, qr.Options("svg", "Q")),
        qr.etag(other, qr.Options("png", "Q", 512)),
    }
    assert len(tags) == 5
    assert qr.etag(text, qr.Options("png", "Q", 512)) == qr.etag(text, qr.Options("png", "Q", 512))


def test_the_memo_keeps_the_most_recently_used_images_and_no_more():
    memo = qr.Memo(size=2)
    texts = [qr.payload("https://memo.example", TOKENS.share_token(n)) for n in (7, 8, 9)]
    opts = qr.Options("png", "Q", 300)
    assert memo.get(texts[0], opts) is None
    for text in texts[:2]:
        memo.put(text, opts, qr.image(text, opts))
    assert memo.get(texts[0], opts) == qr.image(texts[0], opts)  # now the most recent
    memo.put(texts[2], opts, qr.image(texts[2], opts))
    assert memo.get(texts[1], opts) is None  # the least recently used went
    assert memo.get(texts[0], qr.Options("png", "Q", 301)) is None  # options are part of it
    assert len(memo) == 2 and (memo.hits, memo.misses) == (1, 3)


@given(attributed=st.integers(0, 10**12), printed=st.integers(1, 10**7))
def test_per_100_printed_is_exact_and_rounds_half_up(attributed, printed):
    exact = Fraction(attributed * 100, printed)
    assert per_100_printed(attributed, printed) == int(exact + Fraction(1, 2))


def test_per_100_printed_examples():
    assert per_100_printed(2600, 500) == 520  # £26 over 500 leaflets: £5.20 a hundred
    assert per_100_printed(1, 200) == 1  # half a penny rounds up
    assert per_100_printed(1, 201) == 0
    assert per_100_printed(None, 500) is None
    with pytest.raises(ValueError):
        per_100_printed(100, 0)
