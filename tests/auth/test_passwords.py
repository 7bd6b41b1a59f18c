"""Argon2id staff password hashes: pure functions, no app."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from sharetrack.auth import passwords
from sharetrack.defaults import defaults
from tests.conftest import CHEAP_ARGON2

WEAKEST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="module", autouse=True)
def cheap_costs():
    """The suite's cheap costs, whichever app was built last (the parameters are per process)."""
    passwords.configure(*CHEAP_ARGON2.values())


def test_production_costs_are_rfc_9106s_low_memory_profile(tmp_path):
    config = defaults(str(tmp_path))
    costs = [config[k] for k in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")]
    assert costs == [3, 64 * 1024, 4]
    default = PasswordHasher()  # argon2-cffi's own choice, which follows the RFC
    assert costs == [default.time_cost, default.memory_cost, default.parallelism]


def test_configured_costs_are_the_ones_stored_and_a_change_asks_for_a_rehash():
    stored = passwords.hash_password("correct horse battery")
    assert "$m=1024,t=1,p=1$" in stored
    passwords.configure(2, 2048, 1)
    try:
        assert passwords.needs_rehash(stored)
        assert "$m=2048,t=2,p=1$" in passwords.hash_password("correct horse battery")
        assert passwords.verify(stored, "correct horse battery")  # old hashes still verify
        assert "$m=2048,t=2,p=1$" in passwords._dummy_hash()  # unknown accounts cost the same
    finally:
        passwords.configure(*CHEAP_ARGON2.values())


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
    weak = WEAKEST.hash("old password!")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("new password!"))


def test_password_rules():
    assert passwords.problem("short") == "must be at least 12 characters"
    assert passwords.problem(" twelve chars ") == "must not start or end with spaces"
    assert passwords.problem("x" * 1025) == "must be at most 1024 characters"
    assert passwords.problem("twelve chars") is None


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=39))
def test_a_changed_character_never_verifies(password, position):
    stored = passwords.hash_password(password)
    i = position % len(password)
    changed = password[:i] + chr((ord(password[i]) + 1) % 0x110000 or 1) + password[i + 1 :]
    assert not passwords.verify(stored, changed)
