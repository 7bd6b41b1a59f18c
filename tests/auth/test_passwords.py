"""Argon2id staff password hashes: pure functions, no app."""

from __future__ import annotations

from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from sharetrack.auth import passwords


def test_a_hash_is_argon2id_and_verifies_only_its_password():
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterY")
    assert not passwords.verify(stored, "")


def test_two_hashes_of_one_password_differ():
    assert passwords.hash_password("same password here") != passwords.hash_password(
        "same password here"
    )


def test_malformed_hashes_and_huge_passwords_never_verify():
    assert not passwords.verify("not a hash", "anything at all")
    assert not passwords.verify("", "anything at all")
    stored = passwords.hash_password("x" * passwords.MAX_LENGTH)
    assert passwords.verify(stored, "x" * passwords.MAX_LENGTH)
    assert not passwords.verify(stored, "x" * (passwords.MAX_LENGTH + 1))


def test_weaker_parameters_need_a_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("old password!")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("new password!"))


def test_password_rules():
    assert passwords.problem("short") == "must be at least 12 characters"
    assert passwords.problem(" twelve chars ") == "must not start or end with spaces"
    assert passwords.problem("x" * 1025) == "must be at most 1024 characters"
    assert passwords.problem("twelve chars") is None


@settings(max_examples=5, deadline=None)  # each case hashes with 64 MiB of memory
@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=39))
def test_a_changed_character_never_verifies(password, position):
    stored = passwords.hash_password(password)
    i = position % len(password)
    changed = password[:i] + chr((ord(password[i]) + 1) % 0x110000 or 1) + password[i + 1 :]
    assert not passwords.verify(stored, changed)
