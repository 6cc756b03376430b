"""What the readiness endpoint checks: the database, Redis, the broker, and beat's heartbeat.

Beat writes the time of its last tick to the shared cache (config/beat.py). Each check
returns (ok, detail); the detail names what failed and never a value, password or address.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

# The cache key beat writes the time of its last tick to (seconds since the epoch).
BEAT_HEARTBEAT_KEY = "rapport:beat:last-tick"
# Seconds a connection attempt to Redis or the broker may take before it counts as down.
PROBE_TIMEOUT_SECONDS = 2.0

Check = Callable[[], tuple[bool, str]]


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means not ready
        return False, f"cannot query the database ({type(error).__name__})"
    return True, "answers"


def _redis_answers(url: str) -> tuple[bool, str]:
    client = redis.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return False, f"cannot reach Redis ({type(error).__name__})"
    finally:
        client.close()
    return True, "answers"


def check_redis() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not used: the cache is in this process"
    return _redis_answers(settings.REDIS_URL)


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        return _redis_answers(url)
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as error:  # kombu raises transport-specific errors
        return False, f"cannot reach the broker ({type(error).__name__})"
    return True, "answers"


def check_beat() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not checked: beat's heartbeat needs the shared cache (REDIS_URL)"
    try:
        last_tick = cache.get(BEAT_HEARTBEAT_KEY)
    except redis.RedisError:
        return False, "cannot read beat's heartbeat: Redis is down"
    if last_tick is None:
        return False, "beat has not ticked yet"
    age = time.time() - float(last_tick)
    if age > settings.BEAT_STALE_AFTER_SECONDS:
        return False, f"beat last ticked {age:.0f} s ago"
    return True, f"ticked {max(age, 0):.0f} s ago"


READINESS_CHECKS: dict[str, Check] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "beat": check_beat,
}


def readiness() -> dict[str, dict[str, object]]:
    """Run every check; each gives ok and a detail a person can read."""
    results = {}
    for name, check in READINESS_CHECKS.items():
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    return results
