"""Settings for the test suite: the one settings module, pointed at the test services.

Tests run on PostgreSQL and Redis (127.0.0.1 by default, DATABASE_URL / REDIS_URL to move
them). Broker, results and cache use Redis databases of their own, whatever the environment
says, so a developer's running worker never takes a test's task.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

# Three Redis databases of the suite's own; TEST_REDIS_DBS="5,6,7" moves them, so that two
# checkouts can run their suites side by side. With pytest-xdist (make test runs the suite
# in parallel processes), worker gwN takes the three databases 3 * N below those: gw0 the
# given ones, gw1 the three before them, so no worker's task or cache reaches another's.
# pytest-django gives each worker its own test database the same way (test_rapport_gwN).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_NUMBER = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0
TEST_REDIS_DB_CACHE, TEST_REDIS_DB_BROKER, TEST_REDIS_DB_RESULTS = (
    int(db) - 3 * _WORKER_NUMBER for db in os.environ.get("TEST_REDIS_DBS", "13,14,15").split(",")
)
if min(TEST_REDIS_DB_CACHE, TEST_REDIS_DB_BROKER, TEST_REDIS_DB_RESULTS) < 0:
    raise RuntimeError(
        f"pytest-xdist worker {XDIST_WORKER} has no Redis databases left below "
        f"TEST_REDIS_DBS: run fewer workers (-n) or raise TEST_REDIS_DBS."
    )


def _redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rapport")
_redis_base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
os.environ["REDIS_URL"] = _redis_db(_redis_base, TEST_REDIS_DB_CACHE)
os.environ["CELERY_BROKER_URL"] = _redis_db(_redis_base, TEST_REDIS_DB_BROKER)
os.environ["CELERY_RESULT_BACKEND"] = _redis_db(_redis_base, TEST_REDIS_DB_RESULTS)
os.environ["DEBUG"] = "true"
os.environ.pop("EMAIL_HOST", None)

from config.settings import *  # noqa: E402, F403
from config.settings import VAR_DIR  # noqa: E402

# Speed: hashing passwords properly is slow and tests sign many users in.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_FILES_DIR = VAR_DIR / f"test-private{XDIST_WORKER and '-' + XDIST_WORKER}"
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_DIR},
    },
}
