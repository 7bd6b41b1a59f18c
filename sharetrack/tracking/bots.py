"""Which requests are machines: crawlers, link previews, prefetches and HEAD requests.

Two maintained public pattern lists vote: crawlerdetect (the PHP CrawlerDetect list) and
crawler-user-agents (monperrus/crawler-user-agents, released on PyPI with every change). Either
one is enough. In-app browsers (Facebook, Instagram, LinkedIn, Snapchat, Telegram, X) are
people who tapped a link inside an app: they carry a full browser engine plus an app token,
and are never counted as machines even when one list has a pattern for that token.
"""

from __future__ import annotations

import re
from functools import lru_cache

import crawleruseragents
from crawlerdetect import CrawlerDetect

_detector = CrawlerDetect()

# Link-preview fetchers that neither list knows yet (lowercase substrings).
EXTRA_PREVIEW_AGENTS = ("cardyb", "kakaotalk-scrap")  # Bluesky's and KakaoTalk's card fetchers

# The app tokens of in-app browsers, each beside a real engine (checked separately below).
# MetaIAB is the Facebook app's in-app browser on Android ("IAB"), listed by
# crawler-user-agents as a preview fetcher; its agent is a full Android WebView.
_IN_APP = re.compile(
    r"FBAN/|FBAV/|FB_IAB/|MetaIAB |\bInstagram \d|LinkedInApp|Snapchat/\d|Telegram-Android/"
    r"|TwitterAndroid|Twitter for iP"
)
_ENGINE = re.compile(r"^Mozilla/5\.0 \((?:iPhone|iPad|Linux; Android|Macintosh|Windows)[^)]*\)")
# A crawler names a page for webmasters or calls itself a bot; an in-app browser never does.
_SELF_DECLARED = re.compile(r"https?://|bot\b", re.IGNORECASE)


def is_in_app_browser(user_agent: str) -> bool:
    """True for a social app's built-in browser: a person, though the agent names the app."""
    return bool(
        _ENGINE.match(user_agent)
        and _IN_APP.search(user_agent)
        and not _SELF_DECLARED.search(user_agent)
    )


@lru_cache(maxsize=8192)
def is_bot_agent(user_agent: str) -> bool:
    """True for crawler and link-preview user agents; an empty agent is no browser either."""
    if not user_agent.strip():
        return True
    lowered = user_agent.lower()
    if any(marker in lowered for marker in EXTRA_PREVIEW_AGENTS):
        return True
    if is_in_app_browser(user_agent):
        return False
    # Both lists run hundreds of regexes per new agent; agents repeat, so the cache pays.
    return bool(_detector.isCrawler(user_agent)) or crawleruseragents.is_crawler(user_agent)


def is_prefetch(headers) -> bool:
    """True for speculative loads the browser makes before anyone clicks."""
    purpose = (headers.get("Sec-Purpose") or headers.get("Purpose") or "").lower()
    return "prefetch" in purpose or "prerender" in purpose


def is_machine(method: str, user_agent: str, headers) -> bool:
    """Bot, link preview, prefetch or HEAD: redirected like anyone but not counted."""
    return method == "HEAD" or is_prefetch(headers) or is_bot_agent(user_agent[:512])
