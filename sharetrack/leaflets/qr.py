"""QR codes of this service's own links: the payload, the symbol and its PNG and SVG images.

The payload is the link in uppercase (`HTTPS://HOST/S/<TOKEN>/Q`), so the whole code uses QR
alphanumeric mode, 5.5 bits a character instead of byte mode's 8. With an origin of up to 34
characters that is QR version 4 at level Q (33×33 modules, big modules that survive a fold);
byte mode would need version 6. The `/Q` suffix marks the visit as a scan.

Images are a pure function of (payload, options), so each app keeps the ones it rendered in a
bounded LRU (Memo) and serves them with a strong ETag derived from the same inputs
(docs/adr/0006).
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from dataclasses import dataclass
from importlib.metadata import version as package_version
from urllib.parse import urlsplit

import qrcode
from cachetools import LRUCache
from PIL import Image
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_Q
from qrcode.util import MODE_ALPHA_NUM, QRData

# The QR alphanumeric character set (ISO/IEC 18004, table 5).
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
SCAN_SUFFIX = "/Q"
QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks
LEVELS = {"Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
DEFAULT_LEVEL = "Q"
MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 128, 2048, 512
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
# Images memoised per worker and format: at most ~10 kB each (a 1-bit PNG), so a few MB.
MEMO_SIZE = 512
# Part of every ETag: a change of renderer or library may change the bytes, so the tag too.
RENDER_VERSION = f"1/qrcode-{package_version('qrcode')}/pillow-{package_version('pillow')}"

_SIZE_RE = re.compile(r"^[0-9]{1,5}$")


class UnencodableOrigin(ValueError):
    """The service's origin cannot be carried in QR alphanumeric mode."""


class BadOptions(ValueError):
    """Image options out of range; `errors` lists them per field."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Options:
    """What an image request may choose: format, error-correction level and (PNG) size."""

    fmt: str
    level: str = DEFAULT_LEVEL
    size: int | None = None


def payload(origin: str, token: str) -> str:
    """The text a leaflet's code carries: the scan link of `token`, uppercase."""
    parts = urlsplit(origin)
    bare = parts.netloc and not (parts.path.strip("/") or parts.query or parts.fragment)
    if parts.scheme not in ("http", "https") or not bare:
        # Only scheme and host are case-insensitive; an uppercased path prefix would not route.
        raise UnencodableOrigin(f"{origin!r} is not a bare http(s) origin")
    text = f"{origin.rstrip('/')}/S/{token}{SCAN_SUFFIX}".upper()
    if not set(text) <= ALPHANUMERIC:
        raise UnencodableOrigin(f"{origin!r} has characters outside QR alphanumeric mode")
    return text


def options(fmt: str, size: str | None, level: str | None) -> Options:
    """Validate an image request's query values; raises BadOptions listing every problem."""
    errors = []
    chosen_level = DEFAULT_LEVEL if level is None else level.strip().upper()
    if chosen_level not in LEVELS:
        errors.append({"field": "level", "message": f"must be one of {', '.join(LEVELS)}"})
    chosen_size = None
    if fmt == "png":
        chosen_size = DEFAULT_SIZE
        if size is not None:
            if not _SIZE_RE.match(size) or not MIN_SIZE <= int(size) <= MAX_SIZE:
                errors.append(
                    {
                        "field": "size",
                        "message": f"must be a whole number of pixels from {MIN_SIZE} "
                        f"to {MAX_SIZE}",
                    }
                )
            else:
                chosen_size = int(size)
    if errors:
        raise BadOptions(errors)
    return Options(fmt=fmt, level=chosen_level, size=chosen_size)


def make_symbol(text: str, level: str = DEFAULT_LEVEL) -> qrcode.QRCode:
    """The smallest QR symbol holding `text` in alphanumeric mode at `level`."""
    code = qrcode.QRCode(error_correction=LEVELS[level], border=QUIET_ZONE)
    code.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM, check_data=True))
    code.make(fit=True)
    return code


def matrix(text: str, level: str = DEFAULT_LEVEL) -> list[list[bool]]:
    """The modules of the symbol, quiet zone included; True is dark."""
    return make_symbol(text, level).get_matrix()


def etag(text: str, opts: Options) -> str:
    """A strong validator for the image of `text` with `opts`, known without rendering it."""
    seed = f"{RENDER_VERSION}|{opts.fmt}|{opts.level}|{opts.size}|{text}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def image(text: str, opts: Options) -> bytes:
    """The image bytes, rendered (a Memo keeps them)."""
    if opts.fmt == "png":
        return png(text, opts.level, opts.size or DEFAULT_SIZE)
    return svg(text, opts.level)


class Memo:
    """The images one app has rendered: at most `size`, the least recently used dropped first.

    A cachetools LRUCache behind a lock: cachetools caches are not thread-safe, and gthread
    workers share one Memo. `hits` and `misses` count lookups, for tests and curiosity.
    """

    def __init__(self, size: int = MEMO_SIZE):
        self.hits = self.misses = 0
        self._items: LRUCache[tuple[str, Options], bytes] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, text: str, opts: Options) -> bytes | None:
        with self._lock:
            data = self._items.get((text, opts))  # a hit makes it the most recently used
            if data is None:
                self.misses += 1
            else:
                self.hits += 1
            return data

    def put(self, text: str, opts: Options, data: bytes) -> None:
        with self._lock:
            self._items[(text, opts)] = data

    def __len__(self) -> int:
        return len(self._items)


def png(text: str, level: str, size: int) -> bytes:
    """A size×size 1-bit PNG: whole pixels per module, centred, the spare pixels white."""
    modules = matrix(text, level)
    n = len(modules)
    scale = size // n
    if scale < 1:
        raise BadOptions([{"field": "size", "message": f"must be at least {n} for this code"}])
    raw = bytes(0 if dark else 255 for row in modules for dark in row)
    symbol = Image.frombytes("L", (n, n), raw).convert("1")
    symbol = symbol.resize((n * scale, n * scale), Image.Resampling.NEAREST)
    canvas = Image.new("1", (size, size), 1)
    offset = (size - n * scale) // 2
    canvas.paste(symbol, (offset, offset))
    out = io.BytesIO()
    canvas.save(out, "PNG")  # not optimize=True: it saves little size for much more CPU
    return out.getvalue()


def svg(text: str, level: str) -> bytes:
    """An SVG one unit per module, sized by whoever shows it; dark runs drawn as one path."""
    modules = matrix(text, level)
    n = len(modules)
    runs = []
    for y, row in enumerate(modules):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    ).encode()
