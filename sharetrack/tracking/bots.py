"""Which requests are machines: crawlers, link previews, prefetches and HEAD requests."""

from __future__ import annotations

from functools import lru_cache

from crawlerdetect import CrawlerDetect

_detector = CrawlerDetect()

# Link-preview fetchers that crawlerdetect's list does not know yet (lowercase substrings).
EXTRA_PREVIEW_AGENTS = ("cardyb",)  # Bluesky's card fetcher


@lru_cache(maxsize=8192)
def is_bot_agent(user_agent: str) -> bool:
    """True for crawler and link-preview user agents; an empty agent is no browser either."""
    if not user_agent.strip():
        return True
    lowered = user_agent.lower()
    if any(marker in lowered for marker in EXTRA_PREVIEW_AGENTS):
        return True
    # crawlerdetect runs hundreds of regexes per agent; agents repeat, so the cache pays.
    return bool(_detector.isCrawler(user_agent))


def is_prefetch(headers) -> bool:
    """True for speculative loads the browser makes before anyone clicks."""
    purpose = (headers.get("Sec-Purpose") or headers.get("Purpose") or "").lower()
    return "prefetch" in purpose or "prerender" in purpose


def is_machine(method: str, user_agent: str, headers) -> bool:
    """Bot, link preview, prefetch or HEAD: redirected like anyone but not counted."""
    return method == "HEAD" or is_prefetch(headers) or is_bot_agent(user_agent[:512])
