"""A real HTTP receiver on 127.0.0.1 in a thread, and endpoints pointing at it."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
from dataclasses import dataclass, field

import pytest
import standardwebhooks

from sharetrack.extensions import db
from sharetrack.models import utcnow
from sharetrack.webhooks import delivery, endpoints
from tests.pledges.conftest import SECRET, deliver, pledge_body  # noqa: F401
from tests.staff_fixtures import admin, make_staff, sign_in, viewer  # noqa: F401


@pytest.fixture
def app_config(app_config) -> dict:
    """Receivers here listen on 127.0.0.1 over plain http: both allowed, as only tests do;
    pledges arrive signed with SECRET."""
    return {
        **app_config,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_ALLOW_PRIVATE": True,
        "WEBHOOK_ALLOW_HTTP": True,
    }


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: str  # the receiver's mode when it came: "ok" means taken (204)


@dataclass
class Receiver:
    """What the receiver got, and how it answers: "ok", "500", "close" (hangs up without an
    answer), "redirect" (302 to /elsewhere on itself)."""

    port: int = 0
    mode: str = "ok"
    got: list[Received] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.got.append(
                    Received(self.path, dict(self.headers.items()), body, receiver.mode)
                )
                if receiver.mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if receiver.mode == "redirect" and self.path == "/hook":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, text = (500, b"oops " * 400) if receiver.mode == "500" else (204, b"")
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        """Down: connections to its port are refused until start()."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def verified(self, secret: str) -> list[dict]:
        """Every webhook received at /hook, verified by the Standard Webhooks library."""
        hook = standardwebhooks.Webhook(secret)
        return [hook.verify(r.body, r.headers) for r in self.got if r.path == "/hook"]

    def ids(self, answered: str | None = None) -> list[str]:
        """The webhook-id of everything received (or only of what came while in `answered`)."""
        return [r.headers["webhook-id"] for r in self.got if answered in (None, r.answered)]


@pytest.fixture
def receiver():
    got = Receiver()
    got.start()
    yield got
    got.stop()


@pytest.fixture
def endpoint(app, receiver):
    """An endpoint at the receiver taking every event: (id, secret)."""
    with app.app_context():
        row, secret = endpoints.create(
            db.session, receiver.url, endpoints.WEBHOOK_EVENTS, rules_of(app)
        )
        db.session.commit()
        return row.id, secret


def rules_of(app) -> endpoints.Rules:
    return endpoints.rules_from(app.config, app.debug)


@pytest.fixture
def run(app):
    """Run deliver_due at `now` (default: the clock) with the app's settings."""

    def go(now: dt.datetime | None = None) -> delivery.Summary:
        with app.app_context():
            return delivery.deliver_due(db.session, now or utcnow(), rules_of(app))

    return go
