"""Shared fixtures. The suite runs on real PostgreSQL and Redis (see config/settings_test.py)."""

from __future__ import annotations

import shutil
import socket
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings

POSTGRES_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


def _allow_flushing_the_audit_trail() -> None:
    """Let the test database be emptied between transactional tests.

    The audit trail refuses TRUNCATE unless the transaction says it is a reset (see
    profiles/migrations/0003_audit_chain.py); Django's flush, which pytest-django runs after
    each transactional test, is taught to say so. Only Django is patched, nothing of ours.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    plain_sql_flush = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
        statements = plain_sql_flush(self, style, tables, **kwargs)
        if statements:
            statements = ["SET LOCAL rapport.audit_truncate_allowed = 'on'", *statements]
        return statements

    DatabaseOperations.sql_flush = sql_flush


_allow_flushing_the_audit_trail()


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with one clear line, when a service the tests need is not running."""
    database = settings.DATABASES["default"]
    host, port = database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
    if database["ENGINE"].endswith("postgresql") and not _reachable(host, port):
        pytest.exit(
            f"PostgreSQL is not reachable at {host}:{port}; start it with: {POSTGRES_START}",
            returncode=3,
        )
    redis_url = urlsplit(settings.CELERY_BROKER_URL)
    redis_host, redis_port = redis_url.hostname or "127.0.0.1", redis_url.port or 6379
    if not _reachable(redis_host, redis_port):
        pytest.exit(
            f"Redis is not reachable at {redis_host}:{redis_port}; start it with: {REDIS_START}",
            returncode=3,
        )
    # Uploaded files of earlier runs go; the folder is the suite's own.
    shutil.rmtree(settings.PRIVATE_FILES_DIR, ignore_errors=True)
    # The test databases in Redis are the suite's own: start each run from empty.
    for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND):
        redis.Redis.from_url(url).flushdb()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Give every test an empty cache, so rate limits and cached pages do not leak."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def totp_user_factory():
    """Turn on two-factor authentication (TOTP) for a user; returns the shared secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def activate(user):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    return activate


@pytest.fixture
def eager_celery():
    """Run tasks inline where a test is about what a task does, not about delivery."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def staff_with_mfa(totp_user_factory):
    from tests.factories import StaffFactory

    staff = StaffFactory(email="vetter@example.test")
    totp_user_factory(staff)
    return staff


@pytest.fixture(autouse=True)
def _forget_rankings() -> None:
    """Each test loads rankings from its own data."""
    from matching.ranking.feed import forget_loaded_states

    forget_loaded_states()
