"""Delivery on real parts: Django's SMTP backend to a local SMTP server, real Celery workers."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app as celery_app
from devtools.delivery_drill import (
    RedisServer,
    SmtpRecorder,
    environment_without_celery,
    free_port,
    run_drill,
    wait_until,
)
from matching.intake import Intake
from matching.models import IntroRequest
from matching.services import intros
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_settings(settings):
    def point_at(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL, settings.EMAIL_TIMEOUT = False, False, 5

    return point_at


@pytest.fixture
def worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield


def create_intro(responder, therapist) -> IntroRequest:
    return intro_through_service(responder, therapist, message="private words")


def delivered(intro: IntroRequest) -> bool:
    return IntroRequest.objects.filter(pk=intro.pk, delivered_at__isnull=False).exists()


def test_a_request_reaches_a_real_smtp_server_through_a_real_worker(smtp_settings, worker) -> None:
    smtp = SmtpRecorder().start()
    try:
        smtp_settings(smtp.port)
        intro = create_intro(
            ResponderFactory(answers=Intake(state="CO").to_dict()), listed_therapist()
        )
        wait_until(lambda: delivered(intro), seconds=20, what="delivery")
        assert smtp.snapshot() == {str(intro.public_id): 1}
    finally:
        smtp.stop()


def test_a_mail_server_that_is_down_delays_the_request_until_it_is_back(
    smtp_settings, worker
) -> None:
    port = free_port()
    smtp_settings(port)  # nothing listens there yet: the task fails and retries with backoff
    intro = create_intro(ResponderFactory(answers=Intake(state="CO").to_dict()), listed_therapist())
    wait_until(
        lambda: celery_app.control is not None and not delivered(intro), seconds=1, what="start"
    )
    smtp = SmtpRecorder()
    smtp.port = port
    from aiosmtpd.controller import Controller

    smtp._controller = Controller(smtp, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        wait_until(lambda: delivered(intro), seconds=40, what="delivery after retries")
        assert smtp.snapshot() == {str(intro.public_id): 1}
    finally:
        smtp.stop()


@pytest.mark.slow  # the fault drill
def test_a_killed_worker_and_a_restarted_redis_lose_nothing_and_send_nothing_twice(
    tmp_path,
) -> None:
    therapists = [listed_therapist() for _ in range(3)]
    saved = []
    for _ in range(67):
        responder = ResponderFactory(answers=Intake(state="CO").to_dict())
        for therapist in therapists:
            # Saved through the service; the first delivery attempt is left to the sweep.
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(intros, "_queue_delivery", lambda intro_id: None)
                saved.append(create_intro(responder, therapist))
    public_ids = [str(intro.public_id) for intro in saved]
    database = django_settings.DATABASES["default"]
    env = {
        **environment_without_celery(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "FIELD_ENCRYPTION_KEYS": ",".join(django_settings.FIELD_ENCRYPTION_KEYS),
    }
    connection.close()
    redis, smtp = RedisServer().start(), SmtpRecorder().start()
    try:
        result = run_drill(
            public_ids=public_ids,
            delivered_count=lambda: IntroRequest.objects.filter(delivered_at__isnull=False).count(),
            base_env=env,
            redis=redis,
            smtp=smtp,
            log_dir=tmp_path,
            deadline_seconds=60,
        )
    finally:
        smtp.stop()
        redis.stop()
    assert 0 < result.killed_at_delivered < len(public_ids)  # the kill came midway
    assert (result.delivered, result.lost, result.duplicated) == (201, 0, 0)
    # The killed worker's two pool processes finished their task and exited.
    assert (result.orphans_seen, result.orphans_left) == (2, 0)
    assert not IntroRequest.objects.filter(delivered_at__isnull=True).exists()
