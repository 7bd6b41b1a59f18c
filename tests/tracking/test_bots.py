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
    # Messaging apps' preview fetchers that only the second list (crawler-user-agents) knows.
    "Viber/21.7.0.2 (Android 13)",
    "Snap URL Preview Service; bot; snapchat; https://developers.snap.com/robots",
    "kakaotalk-scrap/1.0",
]
# People tapping a link inside an app: the app's token is beside a full browser engine.
IN_APP = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.40.100;FBBV/600000000;FBDV/iPhone14,2]",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7a Build/AP1A.240405.002; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 MetaIAB Facebook",
    "Mozilla/5.0 (Linux; Android 12; SM-G973F Build/SP1A.210812.016; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/123.0 Mobile Safari/537.36 Instagram 330.0.0.40.92 "
    "Android (31/12; 420dpi; 1080x2280; samsung; SM-G973F; beyond1; exynos9820)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [LinkedInApp]/9.29.8",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 Snapchat/12.70.0.30 (like Safari/8617.1.17.10.9, panda)",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/124.0 Mobile Safari/537.36 Telegram-Android/10.12.0 "
    "(Samsung SM-A536B; Android 13; SDK 33; HIGH)",
    "Mozilla/5.0 (Linux; Android 12; Pixel 6 Build/SQ3A.220705.004; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 TwitterAndroid",
]


@pytest.mark.parametrize("agent", PEOPLE)
def test_browsers_are_people(agent):
    assert not is_bot_agent(agent)
    assert not is_machine("GET", agent, {})


@pytest.mark.parametrize("agent", IN_APP)
def test_in_app_browsers_are_people(agent):
    assert not is_bot_agent(agent)


def test_an_in_app_token_does_not_hide_a_crawler():
    agent = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 7_0 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like "
        "Gecko) Mobile/11A465 Twitter for iPhone ExampleMonitor/1.0 (http://monitor.example/bot)"
    )
    assert is_bot_agent(agent)


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
