"""What the public pages of one campaign show, kept in the cache every worker shares.

The hosted page (/c/<slug>), its social card and the embed box (/embed/<slug>) read the same
few things per campaign: its own fields, the money counted so far, and the per-share figures.
Read from the database they cost a campaign lookup, the totals and the figures'
fingerprint, several queries per view; here they are one `PageData`, built by the first worker
that misses it and then read by all, under the generation of page data (page_cache.py), which
every commit changing a verified pledge or a campaign renews. Each entry also lives at most
FRESH_FOR seconds, so money on a page is never more than that behind a verified pledge even
when a write bypasses the ORM, and new per-share figures show within that time (ADR 2202).

Only data is shared. What a request adds (its `ref`, a notice, a form's errors, anything picked
per view) is rendered per request; the rendered page is memoised per worker under a key naming
the data, the templates and all of those parts (`page_key`), which is also its ETag: a view
that adds something per request (a variant of the share text, say) must pass it as a part.

A cache that is down is a miss: the data is read from the database, as before (cache.py).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from flask import current_app, request

from .. import page_cache
from ..cache import cache
from ..campaigns import card
from ..campaigns import service as campaigns
from ..channels import PUBLIC_CHANNELS
from ..estimates import figures
from ..experiments import service as experiments
from ..extensions import db
from ..formatting import money, number
from ..models import Campaign
from ..pledges import counting, supporters
from ..pledges import service as pledges
from ..services import services
from .pledges.sharing import ShareBox, share_box

log = logging.getLogger(__name__)

# Seconds an entry is used at most: the bound on how far a page may lag a write the ORM did not
# see (the rule is 60 s; a verified pledge through any service renews at once).
FRESH_FOR = 30
MEMO_SIZE = 512  # rendered pages and data entries kept per worker before starting afresh
CARDS_KEPT = 32  # social cards' PNGs (about 40 kB each) kept per worker


@dataclass(frozen=True)
class PageData:
    """One campaign's public figures, as of `built_at`."""

    campaign: SimpleNamespace  # every column of the campaign's row, by name
    paragraphs: tuple[str, ...]
    raised_minor: int
    pledges: int
    raised: str  # "£2,144"
    target: str
    percent: int
    # Each public channel's shown amount ("£26", None when it must not be shown); empty unless
    # the campaign is open (nobody is asked to share a closed campaign).
    amounts: dict[str, str | None]
    box: ShareBox  # the channels ranked by well-founded figures (html/pledges/sharing.py)
    recent: tuple[supporters.Support, ...]  # "Recent support": counted pledges only
    experimenting: bool  # an experiment on the ask runs: each view draws (and counts) a variant
    card: card.Card
    built_at: float = field(compare=False)
    digest: str = field(init=False, compare=False)  # a name for exactly what is shown

    def __post_init__(self) -> None:
        shown = (
            sorted(vars(self.campaign).items()),
            self.paragraphs,
            self.raised_minor,
            self.pledges,
            self.amounts,
            self.box,
            self.recent,
            self.experimenting,
            self.card,
        )
        digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
        object.__setattr__(self, "digest", digest)  # frozen: set once, here


def now() -> float:
    """The clock entries are aged by (tests move it)."""
    return time.time()


def get(slug: str) -> PageData | None:
    """The campaign's page data, from this worker's memo, the shared cache or the database;
    None when no campaign has this slug."""
    generation = page_cache.generation()
    if generation is None:  # the cache is down: read the database, as before the cache
        return build(slug)
    key = f"page/{page_cache.namespace()}/{generation}/{slug}"
    memo = services().page_data
    found = memo.get(key)
    if not _fresh(found):
        found = _shared(key)
        if not _fresh(found):
            found = build(slug)
            if found is None:
                return None
            _store(key, found)
        _remember(memo, key, found)
    return found


def _fresh(found) -> bool:
    return isinstance(found, PageData) and now() - found.built_at < FRESH_FOR


def _shared(key: str) -> PageData | None:
    try:
        return cache.get(key)
    except Exception:
        log.exception("cache get %s failed", key)
        return None


def _store(key: str, data: PageData) -> None:
    try:
        cache.set(key, data, timeout=FRESH_FOR + 5)
    except Exception:
        log.exception("cache set %s failed", key)


def _remember(memo: dict, key, value) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()  # a new generation of the memo; dict operations are atomic
    memo[key] = value


def build(slug: str) -> PageData | None:
    """Read the page data from the database (and the stored figures)."""
    row = campaigns.by_slug(db.session, slug)
    if row is None:
        return None
    # Counted money only: a form pledge nobody confirmed moves no public figure (ADR 0304).
    raised = counting.pledge_totals(db.session, row.id)
    target = row.target_minor
    amounts: dict[str, str | None] = {}
    if campaigns.is_open(row):  # what one more share could raise, under the one rule
        current = figures.current(db.session, row)
        amounts = {
            channel: figures.display(current.channels[channel].estimate, row.currency)
            for channel in PUBLIC_CHANNELS
            if channel in current.channels
        }
    pledges = f"{number(raised.pledges)} pledge{'' if raised.pledges == 1 else 's'}"
    return PageData(
        campaign=SimpleNamespace(
            **{c.key: getattr(row, c.key) for c in Campaign.__mapper__.columns},
            # The organiser's dated updates, newest first (templates/pledges/_updates.html).
            updates=tuple(
                SimpleNamespace(id=u.id, title=u.title, body=u.body, posted_at=u.posted_at)
                for u in row.updates
            ),
        ),
        paragraphs=tuple(p.strip() for p in (row.summary or "").split("\n\n") if p.strip()),
        raised_minor=raised.amount_minor,
        pledges=raised.pledges,
        raised=money(raised.amount_minor, row.currency),
        target=money(target, row.currency),
        percent=min(100, math.floor(100 * campaigns.progress(raised.amount_minor, target))),
        amounts=amounts,
        box=share_box(row),
        recent=tuple(supporters.recent(db.session, row.id)),
        experimenting=experiments.running(db.session, row.id) is not None,
        card=card.Card(
            title=row.title,
            raised=money(raised.amount_minor, row.currency),
            target=money(target, row.currency) if target else None,
            pledges=pledges,
            fraction=raised.amount_minor / target if target else 0.0,
            organiser=row.organiser_name or "",
            accent=row.accent_color,
            headline=row.ask_card_headline,  # set when an experiment ends with a variant kept
        ),
        built_at=now(),
    )


def page_key(data: PageData, *parts: object) -> str:
    """The name (and strong ETag) of a page made from `data` and this request's `parts`: every
    per-request input the template reads must be one of the parts."""
    text = repr((data.digest, templates_version(), parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def rendered(key: str, render) -> str:
    """The page named `key`, rendered once per worker."""
    memo = services().pages
    page = memo.get(key)
    if page is None:
        page = render()
        _remember(memo, key, page)
    return page


def answer(tag: str, render):
    """The page named `tag` (from page_key), or a 304 when the request already has it. No
    cookie: a shared cache may keep it, and must ask again before using it (no-cache)."""
    if request.if_none_match.contains(tag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(rendered(tag, render), mimetype="text/html")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def card_png(shown: card.Card) -> bytes:
    """The social card's PNG: this worker's memo, else the shared cache (card.cached_png)."""
    memo = services().cards
    key = shown.etag()
    png = memo.get(key)
    if png is None:
        png = card.cached_png(shown)
        if len(memo) >= CARDS_KEPT:
            memo.clear()
        memo[key] = png
    return png


def share_of(campaign_id: int, share_id: int) -> bool:
    """Whether the share is one of the campaign's; remembered per worker when it is (a share
    never changes campaign and is never deleted)."""
    memo = services().page_data
    key = ("share", share_id)
    if memo.get(key) == campaign_id:
        return True
    if not pledges.campaign_shares(db.session, campaign_id, [share_id]):
        return False
    _remember(memo, key, campaign_id)
    return True


def templates_version() -> str:
    """A digest of the app's templates, so a deploy that changes them changes every ETag."""
    built = services()
    if built.templates_version is None:
        digest = hashlib.sha256()
        for path in sorted(Path(current_app.template_folder or "").rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
        built.templates_version = digest.hexdigest()[:16]
    return built.templates_version
