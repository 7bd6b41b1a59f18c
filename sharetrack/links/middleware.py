"""The redirect answered in front of Flask's request machinery (ADR 0008).

A click is the one request the service must answer by the thousand, and through Flask most of
its cost is not the click's own work but the request context, session, Flask-Limiter's and
Flask-Login's hooks and the after-request chain that every page needs and the redirect does
not. So GET and HEAD on the redirect's paths come here first: the same function as the Flask
view (links/redirect.answer) runs, without an app context, and the same header policy is
applied (security.default_headers, what security.apply adds). Anything else, and any exception
before the click is written (the database down, say), falls through to Flask, whose view gives
the same answer or the error page.
A forged link gets the site's 404 page once Flask has rendered it the first time.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import exc as sa_exc
from werkzeug.wrappers import Request, Response

from .. import security
from ..services import services
from . import paths, redirect

log = logging.getLogger(__name__)

# The error that stopped the middleware, for the Flask view to raise again rather than repeat
# the work (and wait out a dead database's connect timeout twice).
ERROR_KEY = "sharetrack.redirect_error"
_DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


class RedirectMiddleware:
    """WSGI middleware: serve share-link clicks, hand everything else to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        match = None
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            match = paths.match(environ.get("PATH_INFO", ""))  # the Flask views' own rules
        if match is None:
            return self.wsgi_app(environ, start_response)
        token, scan = match
        request = Request(environ)
        answer = None
        try:
            answer = redirect.answer(self.app, request, token, scan=scan)
        except _DATABASE_DOWN as exc:  # the view raises it again: the 503 page
            environ[ERROR_KEY] = exc
            return self.wsgi_app(environ, start_response)
        except Exception:  # nothing was written: Flask answers, with its error pages
            log.debug("redirect handed to Flask", exc_info=True)
            return self.wsgi_app(environ, start_response)
        if answer is not None:  # straight to the server: no app context, no Response object
            headers = answer.headers()
            headers.extend(security.default_headers(self.app, skip=redirect.OWN_HEADERS))
            start_response(redirect.STATUS, headers)
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [answer.body]
        response = self._not_found()
        if response is None:  # not rendered yet: Flask renders (and keeps) the 404 page
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            security.apply(response)
        return response(environ, start_response)

    def _not_found(self) -> Response | None:
        page = services(self.app).not_found_page  # rendered and kept by the error handler
        if page is None:
            return None  # not rendered yet: Flask renders (and keeps) it
        return Response(page, 404, mimetype="text/html")
