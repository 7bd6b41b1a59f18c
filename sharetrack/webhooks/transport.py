"""Sending one webhook: to an address checked at connect time, no redirects, a time limit.

The host name is resolved and every address checked (addresses.resolve) right before
connecting, and the connection goes to that checked address, with the name in the Host header
and in TLS (SNI and certificate check): so the name cannot resolve to something else between
the check and the connection.
"""

from __future__ import annotations

from dataclasses import dataclass

import urllib3

from .addresses import AddressRefused, Target, resolve

EXCERPT_BYTES = 1024  # of the answer, kept in the delivery log


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the HTTP status (None: no answer) and the answer's first 1 KB,
    or why there was none."""

    status: int | None
    excerpt: str

    @property
    def ok(self) -> bool:
        """A 2xx answer: delivered. A redirect is not followed and counts as a failure."""
        return self.status is not None and 200 <= self.status < 300


def post(
    target: Target, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float
) -> Answer:
    """POST the body; never raises for what the receiver does (refused, closed, slow)."""
    try:
        ip = resolve(target, allow_private=allow_private)[0]
    except AddressRefused as exc:
        return Answer(None, f"refused: {exc}")
    limit = urllib3.Timeout(total=timeout)
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            str(ip),
            target.port,
            timeout=limit,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(ip), target.port, timeout=limit, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            release_conn=False,
        )
        try:
            excerpt = response.read(EXCERPT_BYTES, decode_content=False)
        finally:
            response.close()
        return Answer(response.status, excerpt.decode("utf-8", "replace"))
    except urllib3.exceptions.HTTPError as exc:
        return Answer(None, f"no answer: {type(exc).__name__}: {exc}"[:EXCERPT_BYTES])
    except OSError as exc:  # whatever else the socket says
        return Answer(None, f"no answer: {exc}"[:EXCERPT_BYTES])
    finally:
        pool.close()
