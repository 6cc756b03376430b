"""Sign-up, login and password reset answer a known address and an unknown one alike.

An account on Rapport means someone sought help, so the time an answer takes must not
tell whether an address has one. These tests hash passwords for real (the suite's MD5
hasher would hide the difference). Each of 20 rounds times a known-address request, an
unknown-address one (in alternating order) and one bare password hash, side by side, so
a busy machine slows all three alike. The leak guarded against is a skipped hash: the
median difference between paired known and unknown requests must stay under half the
median cost of one hash measured in the same rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

# Slow: real password hashing, 20 timed rounds per test.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TRIES = 20
MAX_DIFFERENCE_IN_HASHES = 0.5


@pytest.fixture
def real_hashing(settings) -> None:
    """The production algorithm with fewer rounds (see tests/security/hashers.py)."""
    settings.PASSWORD_HASHERS = ["tests.security.hashers.FewerRoundsPBKDF2PasswordHasher"]


def _timed(action: Callable[..., object], *args: object) -> float:
    cache.clear()  # rate limits would otherwise end the run early
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def _assert_alike(known: Callable[[int], None], unknown: Callable[[int], None]) -> None:
    differences, hashes = [], []
    for attempt in range(TRIES):
        if attempt % 2:
            unknown_time = _timed(unknown, attempt)
            known_time = _timed(known, attempt)
        else:
            known_time = _timed(known, attempt)
            unknown_time = _timed(unknown, attempt)
        differences.append(known_time - unknown_time)
        hashes.append(_timed(make_password, PASSWORD))
    difference, one_hash = statistics.median(differences), statistics.median(hashes)
    assert abs(difference) < MAX_DIFFERENCE_IN_HASHES * one_hash, (
        f"known minus unknown: median {difference * 1000:.1f} ms; "
        f"one password hash: median {one_hash * 1000:.1f} ms"
    )


def _signup_data(email: str) -> dict[str, str]:
    return {
        "role": "responder",
        "pseudonym": "Night Medic",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def test_sign_up_takes_as_long_for_a_known_address_as_for_a_new_one(real_hashing) -> None:
    UserFactory(email="taken@example.test")
    responses: list[int] = []

    def known(attempt: int) -> None:
        response = Client().post(reverse("account_signup"), _signup_data("taken@example.test"))
        responses.append(response.status_code)

    def unknown(attempt: int) -> None:
        response = Client().post(
            reverse("account_signup"), _signup_data(f"new{attempt}@example.test")
        )
        responses.append(response.status_code)

    _assert_alike(known, unknown)
    assert set(responses) == {302}


def test_a_failed_login_takes_as_long_for_a_known_address_as_for_an_unknown_one(
    real_hashing,
) -> None:
    UserFactory(email="taken@example.test")
    responses: list[int] = []

    def attempt_login(email: str) -> None:
        response = Client().post(
            reverse("account_login"), {"login": email, "password": "not-the-password-at-all"}
        )
        responses.append(response.status_code)

    _assert_alike(
        lambda attempt: attempt_login("taken@example.test"),
        lambda attempt: attempt_login(f"nobody{attempt}@example.test"),
    )
    assert set(responses) == {200}


def test_a_password_reset_takes_as_long_for_a_known_address_as_for_an_unknown_one(
    real_hashing,
) -> None:
    UserFactory(email="taken@example.test")
    responses: list[int] = []

    def reset(email: str) -> None:
        response = Client().post(reverse("account_reset_password"), {"email": email})
        responses.append(response.status_code)

    _assert_alike(
        lambda attempt: reset("taken@example.test"),
        lambda attempt: reset(f"nobody{attempt}@example.test"),
    )
    assert set(responses) == {302}
