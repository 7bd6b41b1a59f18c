"""A local stand-in for Stripe's API: records what the SDK sends, answers like Stripe.

No test may reach Stripe. `stripe.StripeClient` is pointed at this server (STRIPE_API_BASE);
it records each API call (method, path, form fields, headers) and answers a Checkout Session
whose `url` is this server's own "checkout page", so a browser can follow the redirect too.
Only POST /v1/checkout/sessions with parameters Stripe documents is answered so; any other
path is Stripe's 404 and any other field its 400 (session_refusal).
"""

from __future__ import annotations

import json
import re
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


# The parameters of POST /v1/checkout/sessions we may send, as Stripe documents them
# (https://docs.stripe.com/api/checkout/sessions/create); Stripe refuses any other with a 400.
SESSION_PARAMS = re.compile(
    r"mode|success_url|cancel_url|client_reference_id"
    r"|line_items\[\d+\]\[(quantity|price_data\]\[(currency|unit_amount|product_data\]\[name))\]"
    r"|(payment_intent_data\[metadata\]|metadata)\[[^\[\]]{1,40}\]"  # keys: 40 characters
)
METADATA_VALUE_LIMIT = 500  # characters in one metadata value; at most 50 keys
METADATA_KEYS = 50


def session_refusal(form: dict[str, str]) -> str | None:
    """What Stripe would say about a Checkout Session's fields, or None if it takes them."""
    for name, value in form.items():
        if not SESSION_PARAMS.fullmatch(name):
            return f"Received unknown parameter: {name}"
        if "metadata" in name and len(value) > METADATA_VALUE_LIMIT:
            return f"Metadata values can have up to 500 characters: {name}"
    for prefix in ("metadata[", "payment_intent_data[metadata]["):
        if sum(k.startswith(prefix) for k in form) > METADATA_KEYS:
            return "Metadata can have up to 50 keys"
    if form.get("mode") != "payment" or not form.get("success_url"):
        return "Missing required param: mode=payment with a success_url"
    return None


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
            if self.path != "/v1/checkout/sessions":
                message = f"Unrecognized request URL (POST: {self.path})."
                error = {"error": {"type": "invalid_request_error", "message": message}}
                return self._reply(404, json.dumps(error).encode(), "application/json")
            if refused := session_refusal(form):
                error = {"error": {"type": "invalid_request_error", "message": refused}}
                return self._reply(400, json.dumps(error).encode(), "application/json")
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
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
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
