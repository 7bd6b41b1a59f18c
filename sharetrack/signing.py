"""Every signed token in sharetrack, one salt per purpose.

Share tokens are short and case-insensitive so a leaflet's QR code can carry the link in
uppercase (QR alphanumeric mode): `<share id in base32>.<80-bit truncated HMAC-SHA256 in base32>`,
at most 24 characters, all from 0-9 a-z and '.'.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from itsdangerous import BadData, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_decode, base64_encode

# Crockford's base32 alphabet, lowercase: no i, l, o or u, so nothing is misread on paper.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
# What Crockford's decoding reads for the letters it leaves out: a link typed from a leaflet
# with "O" for zero or "l" for one still works.
_MISREAD = str.maketrans("oil", "011")
SIG_BYTES = 10  # 80 bits: forging one link takes ~2^79 guesses, each a request
SIG_CHARS = 16
MAX_SHARE_ID = 32**7 - 1  # keeps every token at 24 characters or fewer
MAX_TOKEN_LENGTH = 24
VERIFIED_TOKENS = 8192  # per process: valid share tokens remembered (~1 MB at most)
# A token as a person or platform may send it, before canonical_share_token tidies it.
MAX_TYPED_TOKEN_LENGTH = 64

SHARE_SALT = "sharetrack.share-link"
# Before issue 10 a promoter's page token and cookie were signed over the public code; they
# still verify for promoters whose code never went out (ADR 0504), and are no longer issued.
DASHBOARD_SALT = "sharetrack.promoter-dashboard"
PROMOTER_COOKIE_SALT = "sharetrack.promoter-cookie"
PROMOTER_KEY_SALT = "sharetrack.promoter-key"
PROMOTER_BROWSER_SALT = "sharetrack.promoter-browser"
EMAIL_HASH_SALT = "sharetrack.promoter-email"
NOTES_UNSUBSCRIBE_SALT = "sharetrack.notes-unsubscribe"
MAX_PROMOTER_ID_CHARS = 13  # 64-bit ids in base32
TOUCH_COOKIE_SALT = "sharetrack.touch-cookie"
LEAFLET_PRINT_SALT = "sharetrack.leaflet-print"
# The thank-you page after a hosted-page pledge, /c/<slug>/thanks/<token>: it names the pledge
# and opens nothing else (no review, no change, no other page).
PLEDGE_THANKS_SALT = "sharetrack.pledge-thanks"
# The Stripe Checkout return, /c/<slug>/thanks/checkout/<token>: a random nonce we put in the
# Checkout Session's metadata, signed; it opens that pledge's thank-you page once paid.
CHECKOUT_THANKS_SALT = "sharetrack.checkout-thanks"
CHECKOUT_NONCE_CHARS = 20  # 100 random bits in base32


def checkout_nonce() -> str:
    """A new random Checkout nonce: lowercase base32, CHECKOUT_NONCE_CHARS long."""
    nonce = b32encode_int(secrets.randbits(5 * CHECKOUT_NONCE_CHARS))
    return nonce.rjust(CHECKOUT_NONCE_CHARS, "0")


def is_checkout_nonce(value: object) -> bool:
    """Whether a value is spelled as checkout_nonce makes them."""
    return (
        isinstance(value, str)
        and len(value) == CHECKOUT_NONCE_CHARS
        and all(c in _INDEX for c in value)
    )


def b32encode_int(n: int) -> str:
    """Encode a non-negative integer in lowercase Crockford base32."""
    if n < 0:
        raise ValueError("negative")
    out = []
    while True:
        n, r = divmod(n, 32)
        out.append(ALPHABET[r])
        if n == 0:
            return "".join(reversed(out))


def b32decode_int(text: str) -> int:
    """Decode lowercase Crockford base32 of a share id; ValueError on any other character."""
    if not text or len(text) > 7:
        raise ValueError("bad length")
    return b32decode_any(text)


def b32decode_any(text: str) -> int:
    """Decode lowercase Crockford base32 of any length; KeyError on any other character."""
    n = 0
    for c in text:
        n = n * 32 + _INDEX[c]  # KeyError is a ValueError's cousin; caught by callers
    return n


def _b32encode_bytes(data: bytes) -> str:
    return b32encode_int(int.from_bytes(data, "big")).rjust(SIG_CHARS, "0")


class ShortSigner(Signer):
    """itsdangerous Signer whose signature is a truncated HMAC-SHA256 in lowercase base32."""

    def __init__(self, secret_keys: Sequence[str | bytes], salt: str):
        super().__init__(
            list(secret_keys),
            salt=salt,
            sep=".",
            key_derivation="hmac",
            digest_method=hashlib.sha256,
        )
        self._derived = [self.derive_key(k) for k in self.secret_keys]

    def _mac(self, key: bytes, value: bytes) -> str:
        digest = hmac.new(key, value, hashlib.sha256).digest()[:SIG_BYTES]
        return _b32encode_bytes(digest)

    def get_signature(self, value: str | bytes) -> bytes:
        value = value.encode() if isinstance(value, str) else value
        return self._mac(self._derived[-1], value).encode()

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        value = value.encode() if isinstance(value, str) else value
        sig_text = sig.decode("ascii", "replace") if isinstance(sig, bytes) else sig
        # Newest key first; older keys still verify links printed before a rotation.
        return any(
            hmac.compare_digest(sig_text, self._mac(key, value)) for key in reversed(self._derived)
        )


class Tokens:
    """The app's signers and serializers, built once from its keys."""

    def __init__(self, secret_key: str, older_keys: Sequence[str] = ()):
        # itsdangerous takes keys oldest to newest and signs with the last.
        keys = [*reversed(list(older_keys)), secret_key]
        self.share_signer = ShortSigner(keys, SHARE_SALT)
        self.dashboard = URLSafeSerializer(keys, salt=DASHBOARD_SALT)
        self.promoter_cookie = URLSafeSerializer(keys, salt=PROMOTER_COOKIE_SALT)
        self.promoter_key_signer = _secret_signer(keys, PROMOTER_KEY_SALT)
        self.promoter_browser_signer = _secret_signer(keys, PROMOTER_BROWSER_SALT)
        self.notes_unsubscribe_signer = _secret_signer(keys, NOTES_UNSUBSCRIBE_SALT)
        # One HMAC key per secret key, newest first: addresses hashed before a rotation match.
        email_signer = _secret_signer(keys, EMAIL_HASH_SALT)
        self._email_keys = [email_signer.derive_key(k) for k in reversed(email_signer.secret_keys)]
        self.touch_cookie = ShortSigner(keys, TOUCH_COOKIE_SALT)
        self.pledge_thanks = ShortSigner(keys, PLEDGE_THANKS_SALT)
        self.checkout_thanks = ShortSigner(keys, CHECKOUT_THANKS_SALT)
        self.leaflet_print = Signer(
            keys, salt=LEAFLET_PRINT_SALT, key_derivation="hmac", digest_method=hashlib.sha256
        )
        # Share tokens this process verified, as they were sent: a link followed again needs
        # no HMAC. Only valid ones are kept, so forged tokens cannot push them out.
        self._verified: dict[str, int] = {}

    def share_token(self, share_id: int) -> str:
        """The link token of a share."""
        if not 0 < share_id <= MAX_SHARE_ID:
            raise ValueError("share id out of range for a 24-character token")
        return self.share_signer.sign(b32encode_int(share_id)).decode()

    def share_id(self, token: str) -> int | None:
        """The share id a token was signed for, or None. No I/O.

        Any case is accepted, and o, i, l are read as 0, 1, 1 as Crockford's base32 says.
        """
        share_id = self._verified.get(token)
        if share_id is None:
            share_id = _verify_share_token(self.share_signer, token)
            if share_id is not None:
                if len(self._verified) >= VERIFIED_TOKENS:
                    self._verified.clear()  # a new generation; dict operations are atomic
                self._verified[token] = share_id
        return share_id

    def thanks_token(self, pledge_id: int) -> str:
        """The token of a pledge's thank-you page: its id and an 80-bit signature, nothing more."""
        if pledge_id <= 0:
            raise ValueError("pledge id must be positive")
        return self.pledge_thanks.sign(b32encode_int(pledge_id)).decode()

    def thanks_pledge_id(self, token: str) -> int | None:
        """The pledge id a thank-you token was signed for, or None (any change breaks it)."""
        if not token or len(token) > 40 or not token.isascii():
            return None
        value, sep, sig = token.rpartition(".")
        if not sep or len(sig) != SIG_CHARS or not value:
            return None
        try:
            pledge_id = b32decode_any(value)
        except (KeyError, ValueError):
            return None
        # One spelling per id (no leading zeros, lowercase only), as for share tokens.
        if pledge_id == 0 or b32encode_int(pledge_id) != value:
            return None
        return pledge_id if self.pledge_thanks.verify_signature(value, sig) else None

    def checkout_thanks_token(self, nonce: str) -> str:
        """The token of a Checkout return address: the session's nonce and an 80-bit signature."""
        if not is_checkout_nonce(nonce):
            raise ValueError("not a checkout nonce")
        return self.checkout_thanks.sign(nonce).decode()

    def checkout_thanks_nonce(self, token: str) -> str | None:
        """The nonce a Checkout return token was signed for, or None (any change breaks it)."""
        if not token or len(token) > 40 or not token.isascii():
            return None
        nonce, sep, sig = token.rpartition(".")
        if not sep or len(sig) != SIG_CHARS or not is_checkout_nonce(nonce):
            return None
        return nonce if self.checkout_thanks.verify_signature(nonce, sig) else None

    def print_key(self, batch_id: int) -> str:
        """The key that opens a leaflet batch's print sheet (batch ids are guessable)."""
        return self.leaflet_print.get_signature(str(batch_id)).decode()

    def print_key_ok(self, batch_id: int, key: str) -> bool:
        """Whether `key` was made by print_key for this batch. No I/O."""
        if not key or len(key) > 128 or not key.isascii():
            return False
        return self.leaflet_print.verify_signature(str(batch_id).encode(), key.encode())

    def dashboard_code(self, token: str) -> str | None:
        """The promoter code behind an old page address (`self.dashboard` signed them before
        promoter keys; docs/adr/0504), or None."""
        return _loads(self.dashboard, token)

    def promoter_key(self, promoter_id: int, secret: str) -> str:
        """A promoter's private key, the secret in /p/<key>: `<id>.<HMAC over id and secret>`."""
        return _sign_secret(self.promoter_key_signer, promoter_id, secret)

    def promoter_browser(self, promoter_id: int, secret: str) -> str:
        """The promoter cookie's value: like the key, under its own salt, so neither opens the
        other's door."""
        return _sign_secret(self.promoter_browser_signer, promoter_id, secret)

    @staticmethod
    def signed_promoter_id(value: str) -> int | None:
        """The promoter id a key or cookie value names (unverified: check it with *_ok)."""
        if not value or len(value) > 100 or not value.isascii():
            return None
        head, sep, _sig = value.partition(".")
        if not sep or not 0 < len(head) <= MAX_PROMOTER_ID_CHARS:
            return None
        try:
            number = b32decode_any(head)
        except (KeyError, ValueError):
            return None
        return number if number > 0 and b32encode_int(number) == head else None

    def promoter_key_ok(self, value: str, promoter_id: int, secret: str) -> bool:
        """Whether `value` is this promoter's key. No I/O."""
        return _secret_ok(self.promoter_key_signer, value, promoter_id, secret)

    def promoter_browser_ok(self, value: str, promoter_id: int, secret: str) -> bool:
        """Whether `value` is this promoter's cookie value. No I/O."""
        return _secret_ok(self.promoter_browser_signer, value, promoter_id, secret)

    def notes_unsubscribe(self, promoter_id: int, secret: str) -> str:
        """The token in a note's one-click unsubscribe URL: it stops notes, and opens nothing
        else (its own salt)."""
        return _sign_secret(self.notes_unsubscribe_signer, promoter_id, secret)

    def notes_unsubscribe_ok(self, value: str, promoter_id: int, secret: str) -> bool:
        """Whether `value` is this promoter's unsubscribe token. No I/O."""
        return _secret_ok(self.notes_unsubscribe_signer, value, promoter_id, secret)

    def email_hashes(self, normalised_email: str) -> list[str]:
        """The keyed hashes of an address, one per secret key, the one to store first."""
        data = normalised_email.encode()
        return [hmac.new(k, data, hashlib.sha256).hexdigest() for k in self._email_keys]


def _secret_signer(keys: list[str], salt: str) -> Signer:
    return Signer(keys, salt=salt, sep=".", key_derivation="hmac", digest_method=hashlib.sha256)


def _sign_secret(signer: Signer, promoter_id: int, secret: str) -> str:
    head = b32encode_int(promoter_id)
    return f"{head}.{signer.get_signature(f'{head}.{secret}').decode()}"


def _secret_ok(signer: Signer, value: str, promoter_id: int, secret: str) -> bool:
    head, sep, sig = value.partition(".")
    if not sep or head != b32encode_int(promoter_id) or not sig.isascii():
        return False
    if not _canonical_signature(value):  # one spelling of the signature, as for tokens
        return False
    return signer.verify_signature(f"{head}.{secret}".encode(), sig.encode())


def _loads(serializer: URLSafeSerializer, token: str, **kwargs: Any) -> Any:
    if not _canonical_signature(token):
        return None
    try:
        return serializer.loads(token, **kwargs)
    except (BadData, UnicodeError, ValueError):
        return None


def _canonical_signature(token: str) -> bool:
    """Whether the signature is spelled the one way base64 writes it.

    The last base64 character of a 20-byte signature carries spare bits that decoders ignore,
    so without this check some one-character changes to a token would still verify.
    """
    _, sep, sig = token.rpartition(".")
    if not sep or not sig.isascii():
        return False
    try:
        return base64_encode(base64_decode(sig)).decode("ascii") == sig
    except BadData:
        return False


def canonical_share_token(token: str) -> str:
    """A share token as it was issued: lowercase, with o read as 0 and i, l as 1 (Crockford)."""
    return token.lower().translate(_MISREAD)


def _verify_share_token(signer: ShortSigner, token: str) -> int | None:
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    token = canonical_share_token(token)
    value, sep, sig = token.rpartition(".")
    if not sep or len(sig) != SIG_CHARS:
        return None
    try:
        share_id = b32decode_int(value)
    except (KeyError, ValueError):
        return None
    if share_id == 0 or b32encode_int(share_id) != value:  # one spelling per id: no leading zeros
        return None
    if not signer.verify_signature(value.encode(), sig):
        return None
    return share_id
