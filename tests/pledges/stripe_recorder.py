"""A local stand-in for Stripe's API: records what the SDK sends, answers like Stripe.

No test may reach Stripe. `stripe.StripeClient` is pointed at this server (STRIPE_API_BASE);
it records each API call (method, path, form fields, headers) and answers a Checkout Session
whose `url` is this server's own "checkout page", so a browser can follow the redirect too.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from tests.pledges import stripe_support


@dataclass
class Call:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Recorder:
    origin: str = ""
    calls: list[Call] = field(default_factory=list)
    fail: bool = False  # answer API calls with Stripe's error shape and a 500


def _handler(recorder: Recorder):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = dict(parse_qsl(raw, keep_blank_values=True))
            recorder.calls.append(Call("POST", self.path, form, dict(self.headers.items())))
            if recorder.fail:
                error = {"error": {"type": "api_error", "message": "stand-in failure"}}
                return self._reply(500, json.dumps(error).encode(), "application/json")
            session_id = f"cs_test_{secrets.token_hex(8)}"
            session = stripe_support.example(
                "checkout_session",
                id=session_id,
                url=f"{recorder.origin}/c/pay/{session_id}",
                amount_total=int(form.get("line_items[0][price_data][unit_amount]", 0)),
                currency=form.get("line_items[0][price_data][currency]"),
                metadata={
                    k[len("metadata[") : -1]: v
                    for k, v in form.items()
                    if k.startswith("metadata[")
                },
                success_url=form.get("success_url"),
                cancel_url=form.get("cancel_url"),
                payment_intent=None,
            )
            self._reply(200, json.dumps(session).encode(), "application/json")

        def do_GET(self):  # noqa: N802
            recorder.calls.append(Call("GET", self.path, {}, dict(self.headers.items())))
            page = b"<!doctype html><title>Checkout stand-in</title><h1>Pay (test)</h1>"
            self._reply(200, page, "text/html; charset=utf-8")

    return Handler


@contextmanager
def running() -> Iterator[Recorder]:
    """The recorder on a free local port."""
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    recorder.origin = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture
def stripe_api() -> Iterator[Recorder]:
    """A running recorder."""
    with running() as recorder:
        yield recorder
