"""Bot filtering: share of crawler agents flagged, browsers wrongly flagged, and per-call cost.

    .venv/bin/python -m benchmarks.bots

Crawlers: every example agent of the crawler-user-agents release installed (the "broad public
list" of issue 14; one of the two lists voting, so its figure measures coverage of the data,
not generalisation), and a hand-kept list of messaging apps' preview fetchers that the tests
do not use. Browsers: desktop, mobile and in-app agents the tests do not use either.
"""

from __future__ import annotations

import statistics
import time

import crawleruseragents

from sharetrack.tracking import bots

PREVIEW_FETCHERS = [
    "Viber",
    "Mozilla/5.0 (compatible; Viber/1.0; +https://www.viber.com)",
    "WhatsApp/2.24.9.78 A",
    "WhatsApp/2.2413.51 i",
    "WhatsApp/2",  # Signal fetches previews under this name
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "facebookexternalhit/1.1;line-poker/1.0",
    "facebookexternalhit/1.1 Facebot Twitterbot/1.0",  # iMessage
    "kakaotalk-scrap/1.0; +https://devtalk.kakao.com/public/scrap",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "http.rb/5.1.1 (Mastodon/4.2.8; +https://mastodon.social/)",
    "Mozilla/5.0 (compatible; SnapURLPreview/1.0; +https://www.snapchat.com)",
    "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
    "Iframely/1.3.1 (+https://iframely.com/docs/about)",
    "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)",
    "Bluesky Cardyb/1.1",
]

BROWSERS = [
    # Desktop and mobile browsers.
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.7 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
    # In-app browsers.
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/485.0.0.42.108;FBBV/660123456;FBDV/iPhone15,2;"
    "FBMD/iPhone;FBSN/iOS;FBSV/18.0;FBSS/3;FBID/phone;FBLC/en_GB;FBOP/5;FBRV/661234567]",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.102 Mobile Safari/537.36 "
    "[FB_IAB/FB4A;FBAV/490.0.0.52.81;]",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9 Build/AP3A.241105.008; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36 MetaIAB Facebook",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 Instagram 355.0.0.24.108 (iPhone14,5; iOS 17_6; en_GB; en; "
    "scale=3.00; 1170x2532; 655010432)",
    "Mozilla/5.0 (Linux; Android 13; moto g54 5G Build/T1TDS33.55-27-1; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.86 Mobile Safari/537.36 Instagram "
    "354.0.0.44.101 Android (33/13; 400dpi; 1080x2400; motorola; moto g54 5G; cancunf; mt6855)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [LinkedInApp]/9.30.1650",
    "Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/129.0.6668.100 Mobile Safari/537.36 [LinkedInApp]",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 Snapchat/13.16.0.36 (like Safari/8619.2.8.10.9, panda)",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36 "
    "Telegram-Android/11.4.2 (Samsung SM-A546B; Android 14; SDK 34; AVERAGE)",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/118.0.0.0 Mobile Safari/537.36 TwitterAndroid",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 Twitter for iPhone/10.68",
]


def share_flagged(agents: list[str]) -> tuple[float, list[str]]:
    missed = [a for a in agents if not bots.is_bot_agent(a)]
    return 1 - len(missed) / len(agents), missed


def per_call_us(agents: list[str], cached: bool) -> float:
    """Median microseconds per is_bot_agent call, cold (cache cleared each call) or warm."""
    times = []
    for agent in agents:
        if not cached:
            bots.is_bot_agent.cache_clear()
        else:
            bots.is_bot_agent(agent)
        start = time.perf_counter()
        bots.is_bot_agent(agent)
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


listed = sorted(
    {i for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA for i in entry.get("instances", [])}
)
bots.is_bot_agent("warm up the compiled patterns")
rate, missed = share_flagged(listed)
print(f"crawler-user-agents examples flagged: {rate:.1%} of {len(listed)}")
for agent in missed[:10]:
    print(f"  missed: {agent[:110]}")
rate, missed = share_flagged(PREVIEW_FETCHERS)
print(f"messaging preview fetchers flagged:   {rate:.1%} of {len(PREVIEW_FETCHERS)}")
for agent in missed:
    print(f"  missed: {agent[:110]}")
wrong = [a for a in BROWSERS if bots.is_bot_agent(a)]
print(f"browsers and in-app browsers flagged: {len(wrong)} of {len(BROWSERS)}")
for agent in wrong:
    print(f"  wrongly flagged: {agent[:110]}")
sample = (listed[:300] + BROWSERS) * 1
print(f"per call, uncached (first sight of an agent): {per_call_us(sample, cached=False):.0f} µs")
print(f"per call, cached (agent seen before):         {per_call_us(sample, cached=True):.2f} µs")
