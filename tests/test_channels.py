"""Share-intent URLs and landing-page tagging: pure functions."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from sharetrack.channels import CHANNEL, CHANNELS, share_intent_url, tagged_landing_url

LINK = "https://st.example/s/1.abcdefghjkmnpqrs"


@pytest.mark.parametrize(
    ("channel", "origin", "link_param"),
    [
        ("facebook", "https://www.facebook.com/sharer/sharer.php", "u"),
        ("x", "https://x.com/intent/tweet", "url"),
        ("linkedin", "https://www.linkedin.com/sharing/share-offsite/", "url"),
        ("telegram", "https://t.me/share/url", "url"),
        ("reddit", "https://www.reddit.com/submit", "url"),
    ],
)
def test_networks_with_a_url_parameter(channel, origin, link_param):
    url = share_intent_url(channel, LINK, "Stop the Snoopers & co")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == origin
    assert parse_qs(parts.query)[link_param] == [LINK]


@pytest.mark.parametrize(
    ("channel", "origin", "param"),
    [
        ("whatsapp", "https://wa.me/", "text"),
        ("bluesky", "https://bsky.app/intent/compose", "text"),
        ("email", "mailto:", "body"),
    ],
)
def test_networks_with_the_link_in_the_text(channel, origin, param):
    url = share_intent_url(channel, LINK, "Stop the Snoopers")
    parts = urlsplit(url)
    assert url.startswith(origin)
    assert LINK in parse_qs(parts.query)[param][0]


def test_copied_link_is_the_link_itself():
    assert share_intent_url("link", LINK, "t") == LINK


def test_every_channel_has_a_medium_and_an_intent():
    for channel in CHANNELS:
        assert CHANNEL[channel].medium in {"social", "email", "print", "referral"}
        assert share_intent_url(channel, LINK, "t")


def test_tagging_keeps_the_landing_query_and_replaces_old_tags():
    url = tagged_landing_url(
        "https://case.example/give?lang=cy&utm_source=old&ref=stale#pledge",
        channel="email",
        campaign_slug="case",
        promoter_code="p1",
        token="1.abc",
    )
    parts = urlsplit(url)
    assert parts.fragment == "pledge"
    assert parse_qs(parts.query) == {
        "lang": ["cy"],
        "utm_source": ["email"],
        "utm_medium": ["email"],
        "utm_campaign": ["case"],
        "utm_content": ["p1"],
        "ref": ["1.abc"],
    }


def test_leaflet_without_promoter_has_no_content_tag():
    url = tagged_landing_url(
        "https://case.example/", channel="leaflet", campaign_slug="c", promoter_code=None, token="t"
    )
    query = parse_qs(urlsplit(url).query)
    assert query["utm_medium"] == ["print"]
    assert "utm_content" not in query


def test_the_registry_is_the_one_list_of_channels():
    from sharetrack.channels import PUBLIC_CHANNELS, REGISTRY

    assert CHANNELS == tuple(c.id for c in REGISTRY)
    assert "leaflet" in CHANNELS and "leaflet" not in PUBLIC_CHANNELS
    for channel in REGISTRY:
        # A channel the public may pick has a button and a place; staff-only ones have neither.
        assert (channel.action is not None) == channel.public == (channel.place is not None)


def test_unknown_channel_has_no_intent():
    with pytest.raises(ValueError, match="unknown channel"):
        share_intent_url("myspace", LINK, "t")
