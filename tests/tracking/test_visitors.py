"""Visitor hashes: keyed by the day's salt, switched off by GPC and DNT."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharetrack.tracking.clicks import referrer_host
from sharetrack.tracking.visitors import HASH_BYTES, browser, one_off, opted_out, visitor_hash

salts = st.binary(min_size=32, max_size=32)


@given(salts, salts, st.text(max_size=40), st.text(max_size=80), st.integers(1, 10**9))
def test_the_hash_depends_on_the_salt(salt_a, salt_b, ip, ua, share):
    a = visitor_hash(salt_a, browser(ip, ua), share)
    assert len(a) == HASH_BYTES
    assert a == visitor_hash(salt_a, browser(ip, ua), share)
    if salt_a != salt_b:
        assert a != visitor_hash(salt_b, browser(ip, ua), share)


def test_the_hash_differs_per_share_and_visitor():
    salt = bytes(range(32))
    base = visitor_hash(salt, browser("203.0.113.1", "UA"), 1)
    assert base != visitor_hash(salt, browser("203.0.113.1", "UA"), 2)
    assert base != visitor_hash(salt, browser("203.0.113.2", "UA"), 1)
    assert base != visitor_hash(salt, browser("203.0.113.1", "UA2"), 1)


def test_a_visitor_with_gpc_gets_a_value_no_other_click_shares():
    values = {one_off() for _ in range(1000)}
    assert len(values) == 1000 and all(len(v) == HASH_BYTES for v in values)


def test_privacy_signals():
    assert opted_out({"Sec-GPC": "1"})
    assert opted_out({"DNT": "1"})
    assert not opted_out({"Sec-GPC": "0", "DNT": "0"})
    assert not opted_out({})


def test_only_the_referrer_host_is_kept():
    assert referrer_host("https://Www.Facebook.com/groups/123/posts/456?x=1") == "www.facebook.com"
    assert referrer_host("android-app://org.telegram.messenger/") == "org.telegram.messenger"
    assert referrer_host("not a url") is None
    assert referrer_host("http://[::1") is None
    assert referrer_host(None) is None
