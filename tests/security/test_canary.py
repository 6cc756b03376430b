"""A canary written into every sensitive field reaches no log, email, URL, cache or dump."""

from __future__ import annotations

import logging
import uuid

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from matching.models import IntroRequest
from profiles.models import ResponderProfile
from tests.factories import ResponderFactory, listed_therapist

pytestmark = pytest.mark.django_db

MESSAGE_CANARY = "canaryMSG-3f9a1c"
CONTACT_CANARY = "canary-contact-77b2@example.test"
PHONE_CANARY = "7205550199"
REPLY_CANARY = "canaryREPLY-0d4e"
CONCERN = "moral_injury"  # an answer: which concerns a responder named


def _dump_tables() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            parts.append(repr(cursor.fetchall()))
    return "\n".join(parts)


def _redis_contents() -> str:
    parts = []
    for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND):
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(count=500):
            parts.append(repr(key))
            if client.type(key) == b"string":
                parts.append(repr(client.get(key)))
            elif client.type(key) == b"list":
                parts.append(repr(client.lrange(key, 0, -1)))
            elif client.type(key) == b"hash":
                parts.append(repr(client.hgetall(key)))
    return "\n".join(parts)


def test_a_canary_in_every_sensitive_field_reaches_no_log_email_url_cache_or_dump(
    caplog: pytest.LogCaptureFixture,
    eager_celery,
    django_capture_on_commit_callbacks,
    totp_user_factory,
) -> None:
    therapist = listed_therapist(full_name="Casey Fictional")
    totp_user_factory(therapist.user)
    responder = ResponderFactory(pseudonym="Night Medic")
    as_responder, as_therapist = Client(), Client()
    as_responder.force_login(responder.user)
    as_therapist.force_login(therapist.user)
    locations: list[str] = []

    def keep(send):
        with django_capture_on_commit_callbacks(execute=True):  # tasks run as after a commit
            response = send()
        locations.append(response.get("Location", ""))
        return response

    with caplog.at_level(logging.DEBUG):
        keep(
            lambda: as_responder.post(
                reverse("matching:intake_step", args=["place"]),
                {"state": "CO", "format_preference": "telehealth", "travel_miles": "25"},
            )
        )
        keep(
            lambda: as_responder.post(
                reverse("matching:intake_step", args=["concerns"]),
                {"concerns": [CONCERN]},
            )
        )
        keep(
            lambda: as_responder.post(
                reverse("matching:intro_new", args=[therapist.public_id]),
                {
                    "message": MESSAGE_CANARY,
                    "contact_method": "email",
                    "contact_email": CONTACT_CANARY,
                    "contact_phone": PHONE_CANARY,
                    "token": str(uuid.uuid4()),
                },
            )
        )
        intro = IntroRequest.objects.get()
        keep(lambda: as_therapist.get(reverse("matching:inbox_detail", args=[intro.public_id])))
        keep(
            lambda: as_therapist.post(
                reverse("matching:inbox_detail", args=[intro.public_id]),
                {"decision": "accepted", "reply": REPLY_CANARY},
            )
        )
        keep(lambda: as_responder.get(reverse("matching:my_intro", args=[intro.public_id])))
        keep(lambda: as_responder.get(reverse("matching:export")))

    intro.refresh_from_db()
    # The flow went through: the canaries are stored (encrypted) and shown to their owners.
    assert intro.message == MESSAGE_CANARY and intro.therapist_reply == REPLY_CANARY
    assert intro.contact_email == CONTACT_CANARY
    assert CONCERN in ResponderProfile.objects.get(pk=responder.pk).answers.get("concerns", [])
    assert len(mail.outbox) >= 2, [m.subject for m in mail.outbox]

    canaries = (MESSAGE_CANARY, CONTACT_CANARY, PHONE_CANARY, REPLY_CANARY, CONCERN)
    logs = "\n".join(
        record.getMessage() + " " + repr(record.args) + " " + (record.exc_text or "")
        for record in caplog.records
    )
    emails = "\n".join(
        " ".join([m.subject, m.body, str(m.extra_headers), *(c for c, _ in m.alternatives), *m.to])
        for m in mail.outbox
    )
    places = {
        "logs": logs,
        "emails": emails,
        "urls": "\n".join(locations),
        "redis": _redis_contents(),
        "table dump": _dump_tables(),
    }
    leaks = [
        f"{canary} in {place}"
        for place, text in places.items()
        for canary in canaries
        if canary in text
    ]
    assert leaks == []
