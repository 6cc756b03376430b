"""Sign-up, login and password reset answer a known address and an unknown one alike.

An account on Rapport means someone sought help, so the time an answer takes must not
tell whether an address has one. These tests hash passwords for real (the suite's MD5
hasher would hide the difference) and compare the median of 20 tries on each side, the
tries interleaved so a busy machine slows both sides alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TRIES = 20
# Medians within a quarter of each other, or within 15 ms for answers that hash nothing.
# Skipping one password hash (the fault these tests guard against) costs far more.
MAX_MEDIAN_RATIO = 1.25
NOISE_FLOOR_SECONDS = 0.015


@pytest.fixture
def real_hashing(settings) -> None:
    """The production algorithm with fewer rounds (see tests/security/hashers.py)."""
    settings.PASSWORD_HASHERS = ["tests.security.hashers.FewerRoundsPBKDF2PasswordHasher"]


def _medians(known: Callable[[int], None], unknown: Callable[[int], None]) -> tuple[float, float]:
    known_times, unknown_times = [], []
    for attempt in range(TRIES):
        for action, times in ((known, known_times), (unknown, unknown_times)):
            cache.clear()  # rate limits would otherwise end the run early
            started = time.perf_counter()
            action(attempt)
            times.append(time.perf_counter() - started)
    return statistics.median(known_times), statistics.median(unknown_times)


def _assert_alike(known: float, unknown: float) -> None:
    slower, faster = max(known, unknown), min(known, unknown)
    assert slower - faster < NOISE_FLOOR_SECONDS or slower / faster < MAX_MEDIAN_RATIO, (
        f"median known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms"
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

    known_median, unknown_median = _medians(known, unknown)
    assert set(responses) == {302}
    _assert_alike(known_median, unknown_median)


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

    known_median, unknown_median = _medians(
        lambda attempt: attempt_login("taken@example.test"),
        lambda attempt: attempt_login(f"nobody{attempt}@example.test"),
    )
    assert set(responses) == {200}
    _assert_alike(known_median, unknown_median)


def test_a_password_reset_takes_as_long_for_a_known_address_as_for_an_unknown_one(
    real_hashing,
) -> None:
    UserFactory(email="taken@example.test")
    responses: list[int] = []

    def reset(email: str) -> None:
        response = Client().post(reverse("account_reset_password"), {"email": email})
        responses.append(response.status_code)

    known_median, unknown_median = _medians(
        lambda attempt: reset("taken@example.test"),
        lambda attempt: reset(f"nobody{attempt}@example.test"),
    )
    assert set(responses) == {302}
    _assert_alike(known_median, unknown_median)
