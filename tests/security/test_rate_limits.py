"""Login limits key on the real client behind our proxies and lock no one out for long."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def _login(email: str, password: str, *, client_ip: str | None = None) -> int:
    headers = {"REMOTE_ADDR": PROXY}
    if client_ip:
        # What a TLS proxy in front of the app sends: the client's address appended last.
        headers["HTTP_X_FORWARDED_FOR"] = f"203.0.113.99, {client_ip}"
    response = Client().post(
        reverse("account_login"), {"login": email, "password": password}, **headers
    )
    if response.status_code == 200 and "Too many failed login attempts" in response.text:
        return 429
    return response.status_code


def _fail_ten_times_from(client_ip: str | None) -> None:
    for n in range(10):
        assert _login(f"guess{n}@example.test", "wrong-password-x", client_ip=client_ip) == 200


def test_behind_one_trusted_proxy_each_client_has_its_own_limit(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    _fail_ten_times_from("198.51.100.1")
    assert _login("another@example.test", "wrong-password-x", client_ip="198.51.100.1") == 429
    assert _login("another@example.test", "wrong-password-x", client_ip="198.51.100.2") == 200


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _fail_ten_times_from("198.51.100.1")
    # A client cannot escape its limit by sending a header of its own.
    assert _login("another@example.test", "wrong-password-x", client_ip="198.51.100.2") == 429


def test_the_trusted_proxy_count_comes_from_the_environment(tmp_path) -> None:
    from tests.test_settings import _manage

    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        env={"TRUSTED_PROXY_COUNT": "1"},
        var_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "1"


def test_a_named_account_is_locked_for_a_minute_at_most(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="target@example.test")
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for n in range(5):
            assert _login(user.email, "wrong-password-x", client_ip=f"198.51.100.{n}") == 200
        assert _login(user.email, PASSWORD, client_ip="192.0.2.7") == 429
        clock.shift(dt.timedelta(seconds=61))
        assert _login(user.email, PASSWORD, client_ip="192.0.2.7") == 302


def _guess_a_day_away(email: str, guesses: int, clock) -> None:
    """Wrong passwords from many clients, five a minute: within the minute's limit."""
    for n in range(guesses):
        if n and n % 5 == 0:
            clock.shift(dt.timedelta(seconds=61))
        assert _login(email, "wrong-password-x", client_ip=f"198.51.100.{n % 200}") == 200


def test_an_account_has_a_daily_budget_and_its_owner_is_told_once(settings, eager_celery) -> None:
    from django.core import mail

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    budget = settings.LOGIN_FAILED_PER_ACCOUNT_PER_DAY
    assert 5 * 60 * 24 > budget  # the minute's limit alone would allow far more
    user = UserFactory(email="target@example.test")
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _guess_a_day_away(user.email, budget, clock)
        assert mail.outbox == []
        clock.shift(dt.timedelta(seconds=61))
        # The minute's limit is clear; the day's is spent, even for the right password.
        assert _login(user.email, PASSWORD, client_ip="192.0.2.7") == 429
        assert _login(user.email, "wrong-password-x", client_ip="192.0.2.8") == 429
        [notice] = mail.outbox
        assert notice.to == [user.email]
        assert "paused" in notice.subject and "/accounts/password/reset/" in notice.body
        assert "198.51.100" not in notice.body
        clock.shift(dt.timedelta(hours=23))
        assert _login(user.email, PASSWORD, client_ip="192.0.2.7") == 429
        assert len(mail.outbox) == 1
        clock.shift(dt.timedelta(hours=1, minutes=5))
        assert _login(user.email, PASSWORD, client_ip="192.0.2.7") == 302


def test_an_unknown_address_past_its_budget_emails_no_one(settings, eager_celery) -> None:
    from django.core import mail

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    budget = settings.LOGIN_FAILED_PER_ACCOUNT_PER_DAY
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _guess_a_day_away("nobody@example.test", budget, clock)
        clock.shift(dt.timedelta(seconds=61))
        assert _login("nobody@example.test", "wrong-password-x", client_ip="192.0.2.7") == 429
    assert mail.outbox == []
