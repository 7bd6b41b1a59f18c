"""Staff password hashing: Argon2id (RFC 9106) through argon2-cffi.

Argon2id is memory-hard, so a stolen table costs an attacker memory as well as time per guess;
the defaults are RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes), set from the
SHARETRACK_ARGON2_* settings by create_app. The PHC string keeps its parameters, so changing
them later re-hashes on the next sign-in.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_LENGTH = 12
MAX_LENGTH = 1024  # bounds the work one sign-in attempt can ask for

# One process serves one app, so the parameters are the process's (see configure).
_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def configure(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Hash new passwords with these Argon2id costs (memory in KiB) from now on."""
    global _hasher
    current = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism)
    if current != (time_cost, memory_cost, parallelism):
        _hasher = PasswordHasher(time_cost, memory_cost, parallelism)
        _dummy_hash.cache_clear()  # an unknown account must cost what a known one does


def problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if password.strip() != password:
        return "must not start or end with spaces"
    return None


def hash_password(password: str) -> str:
    """The Argon2id PHC string of a password."""
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether `password` matches; False for any malformed hash or over-long password."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the stored hash uses older parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password: evens out the time of unknown accounts")


def waste_time(password: str) -> None:
    """Spend one verification's time, so an unknown account answers as slowly as a known one."""
    verify(_dummy_hash(), password)
