"""A real SMTP server (aiosmtpd) for the tests, and the app settings that send mail to it.

Use them in a test module or conftest: `pytestmark = pytest.mark.usefixtures("closing_clients")`
and an `app_config` that adds `mail_config`; `inbox` holds what arrived.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient


class Inbox:
    """Every message the server accepted, parsed, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages, once at least `count` arrived (sending happens after the answer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} emails, got {len(self.messages)}")

    def settle(self, wait: float = 0.3) -> list[EmailMessage]:
        """The messages after a short wait: for checking that none was sent."""
        time.sleep(wait)
        with self._lock:
            return list(self.messages)


class ClosingClient(FlaskClient):
    """A test client that closes each response as a WSGI server does once it is sent, so work
    the app left for after the answer (response.call_on_close: sending email) runs."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on a free local port; yields (port, inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def closing_clients(app) -> None:
    """Every test client of the app closes its responses (ClosingClient)."""
    app.test_client_class = ClosingClient


@pytest.fixture
def mail_config(smtp_server) -> dict:
    """Settings that send the app's mail to the test server (plain SMTP, no TLS)."""
    port, _ = smtp_server
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_DEFAULT_SENDER": "sharetrack@st.example",
    }


@pytest.fixture
def inbox(smtp_server) -> Inbox:
    """The test server's inbox."""
    return smtp_server[1]
