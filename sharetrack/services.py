"""The app's services: one typed object built in create_app, reached through services().

Per-app state (the signers, this worker's caches, the redirect's statements) lives here rather
than under string keys of app.extensions, so a reader finds every piece and its type in one
place. Types only are imported from the domain: core imports no domain module at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from .leaflets.qr import Memo
    from .links.redirect import Targets
    from .links.redirect_sql import Statements
    from .signing import Tokens

KEY = "sharetrack"


@dataclass
class Services:
    """Everything an app keeps besides its configuration and Flask's own extensions."""

    tokens: Tokens
    qr_images: Memo
    # The redirect's driver-level statements for this app's engine (ADR 0008).
    redirect_statements: Statements | None = None
    # This worker's recent share targets, so a repeated link needs no read (links/redirect.py).
    targets: Targets | None = None
    # This worker's daily visitor salts, by day (tracking/visitors.py).
    salts: dict = field(default_factory=dict)
    # The rate limiter's secret of the day, by day (ratelimit.py).
    ratelimit_secrets: dict = field(default_factory=dict)
    # The endpoints Flask-Limiter's per-request pass skips in this app (ratelimit.py).
    unlimited_endpoints: frozenset = frozenset()
    # Rendered once per app: the 404 page and the OpenAPI document.
    not_found_page: str | None = None
    openapi_document: dict | None = None
    # The public pages' data by generation and slug, and their rendered pages by ETag
    # (html/page_data.py); a digest of the templates, part of every such ETag.
    page_data: dict = field(default_factory=dict)
    # The generation of page data this worker last read, and when (page_cache.py).
    generations: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    cards: dict = field(default_factory=dict)
    templates_version: str | None = None


def install(app: Flask, built: Services) -> Services:
    """Attach the app's services (create_app calls this once)."""
    app.extensions[KEY] = built
    return built


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the current app."""
    return (app or current_app).extensions[KEY]
