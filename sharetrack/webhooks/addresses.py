"""Where a webhook may go: an https URL whose name resolves to public addresses only.

Checked when staff register the URL and again at every connection (transport.py), since a
name that resolved to a public address yesterday may resolve to 127.0.0.1 today (DNS
rebinding). Only globally routable addresses pass: loopback, private, link-local (169.254.x.x,
where clouds serve instance metadata), carrier-grade NAT (Alibaba's 100.100.100.200), unique
local (AWS's fd00:ec2::254), multicast and reserved ranges are all refused unless
SHARETRACK_WEBHOOK_ALLOW_PRIVATE is set (tests, a receiver on the same network).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..models import MAX_WEBHOOK_URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """A URL webhooks may not go to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL taken apart: scheme, host name, port, and the path with its query."""

    url: str
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        """The Host header: the name, with the port when it is not the scheme's own."""
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def parse(url: str, *, allow_http: bool) -> Target:
    """The URL taken apart; AddressRefused if it is too long, not https (unless allowed), has
    no host, carries credentials or a fragment, or is otherwise malformed."""
    if len(url) > MAX_WEBHOOK_URL:
        raise AddressRefused(f"must be at most {MAX_WEBHOOK_URL} characters")
    if not url.isprintable() or any(c.isspace() for c in url):
        raise AddressRefused("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused("is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise AddressRefused("must start with https://")
    if not parts.hostname:
        raise AddressRefused("must name a host")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("must not carry a user name or password")
    if parts.fragment:
        raise AddressRefused("must not have a #fragment")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise AddressRefused("has a host name that cannot be encoded") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, host, port or (443 if scheme == "https" else 80), path)


def forbidden(ip: IPAddress) -> bool:
    """Whether an address is not a public one (see the module's docstring)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(target: Target, *, allow_private: bool) -> list[IPAddress]:
    """The addresses the host resolves to, every one checked; AddressRefused if it resolves to
    none, or to any forbidden one (a name with one private address among public ones would
    let an attacker pick the private one by timing)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused(f"{target.host} does not resolve") from None
    addresses = list(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos)
    )
    if not addresses:
        raise AddressRefused(f"{target.host} does not resolve")
    if not allow_private:
        for ip in addresses:
            if forbidden(ip):
                raise AddressRefused(
                    f"{target.host} resolves to {ip}, a private, loopback, link-local or "
                    "metadata address"
                )
    return addresses
