"""What an operator relies on: health endpoints, the outage page, logs, sessions, backups."""

from __future__ import annotations

import json
import logging
import time
from io import StringIO
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from config.health import BEAT_HEARTBEAT_KEY
from config.logs import JsonLineFormatter
from profiles.models import License, User
from tests.deploy.servers import free_port
from tests.factories import PASSWORD, LicenseFactory, UserFactory


def _closed_redis_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def _redis_down_caches() -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _closed_redis_url(),
            "KEY_PREFIX": "rapport",
        }
    }


def test_liveness_answers_without_touching_anything(client: Client) -> None:
    response = client.get(reverse("health_live"))
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


@pytest.mark.django_db
def test_readiness_is_ready_when_every_part_is_and_beat_ticked(client: Client) -> None:
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
    response = client.get(reverse("health_ready"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "redis", "broker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readiness_fails_until_beat_has_ticked_and_when_it_is_stale(client: Client) -> None:
    response = client.get(reverse("health_ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "beat has not ticked yet"}
    cache.set(BEAT_HEARTBEAT_KEY, time.time() - settings.BEAT_STALE_AFTER_SECONDS - 5)
    stale = client.get(reverse("health_ready")).json()
    assert stale["status"] == "not ready"
    assert stale["checks"]["beat"]["detail"].startswith("beat last ticked")


@pytest.mark.django_db
def test_readiness_names_redis_and_the_broker_when_they_are_down(client: Client) -> None:
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
    with override_settings(REDIS_URL=_closed_redis_url(), CELERY_BROKER_URL=_closed_redis_url()):
        response = client.get(reverse("health_ready"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == {"ok": False, "detail": "cannot reach Redis (ConnectionError)"}
    assert checks["broker"]["ok"] is False
    assert checks["database"]["ok"] is True


@pytest.mark.django_db
def test_signing_in_while_redis_is_down_shows_try_again_and_writes_nothing() -> None:
    user = UserFactory()
    sessions = Session.objects.count()
    with override_settings(CACHES=_redis_down_caches()):
        response = Client().post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "cannot sign you in right now" in response.text
    assert "try again in a minute" in response.text
    assert Session.objects.count() == sessions
    assert User.objects.get(pk=user.pk).last_login is None


@pytest.mark.django_db
def test_a_session_holds_no_email_address_in_clear_in_redis_or_the_database() -> None:
    user = UserFactory(email="clear-text-canary@example.test")
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user
    stored = Session.objects.get(session_key=client.session.session_key).session_data
    assert "clear-text-canary" not in stored
    raw = redis.Redis.from_url(settings.REDIS_URL)
    cached = [raw.get(key) for key in raw.keys("*sessions*")]
    assert cached and all(b"clear-text-canary" not in value for value in cached)


def test_a_log_line_is_one_json_object_in_utc_with_no_request_attached() -> None:
    class Request:
        def __str__(self) -> str:
            return "<WSGIRequest: GET '/matches/?concerns=moral_injury'>"

    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Not Found: %s", ("/x/",), None
    )
    record.request = Request()
    record.status_code = 404
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonLineFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["time"].endswith("+00:00")
    assert entry["message"] == "Not Found: /x/"
    assert entry["status_code"] == 404
    assert "ValueError: boom" in entry["exc_info"]
    assert "moral_injury" not in line


def test_each_request_gets_an_id_and_keeps_a_well_formed_one(client: Client) -> None:
    made = client.get(reverse("health_live"))["X-Request-ID"]
    assert len(made) == 32
    kept = client.get(reverse("health_live"), HTTP_X_REQUEST_ID="proxy-id-12345678")
    assert kept["X-Request-ID"] == "proxy-id-12345678"
    refused = client.get(reverse("health_live"), HTTP_X_REQUEST_ID="a b <script>")
    assert refused["X-Request-ID"] != "a b <script>" and len(refused["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_documents_backup_and_restore_round_trip(tmp_path: Path) -> None:
    license = LicenseFactory()
    original = license.document.read()
    call_command("documents_backup", str(tmp_path / "backup"), stdout=StringIO())
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text()).keys() == {
        license.document.name
    }
    license.document.storage.delete(license.document.name)
    call_command("documents_restore", str(tmp_path / "backup"), stdout=StringIO())
    assert License.objects.get(pk=license.pk).document.read() == original


@pytest.mark.django_db
def test_a_damaged_backup_is_refused_and_a_missing_document_named(tmp_path: Path) -> None:
    license = LicenseFactory()
    call_command("documents_backup", str(tmp_path / "backup"), stdout=StringIO())
    (tmp_path / "backup" / license.document.name).write_bytes(b"not what was stored")
    license.document.storage.delete(license.document.name)
    with pytest.raises(CommandError, match="does not match its hash"):
        call_command("documents_restore", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="which the storage does not have"):
        call_command("documents_backup", str(tmp_path / "second"))
