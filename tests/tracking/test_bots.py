"""Machines are told apart from people: crawlers, link previews, prefetches, HEAD."""

from __future__ import annotations

import pytest

from sharetrack.tracking.bots import is_bot_agent, is_machine

PEOPLE = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
]
MACHINES = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0 A",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "TelegramBot (like TwitterBot)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Bluesky Cardyb/1.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "",
]


@pytest.mark.parametrize("agent", PEOPLE)
def test_browsers_are_people(agent):
    assert not is_bot_agent(agent)
    assert not is_machine("GET", agent, {})


@pytest.mark.parametrize("agent", MACHINES)
def test_crawlers_and_link_previews_are_machines(agent):
    assert is_bot_agent(agent)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("HEAD", {}),
        ("GET", {"Purpose": "prefetch"}),
        ("GET", {"Sec-Purpose": "prefetch"}),
        ("GET", {"Sec-Purpose": "prefetch;prerender"}),
    ],
)
def test_head_and_prefetch_are_machines_even_from_a_browser(method, headers):
    assert is_machine(method, PEOPLE[0], headers)
