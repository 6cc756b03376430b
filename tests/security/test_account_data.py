"""A responder takes their data with them or deletes it; a therapist closes their account."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from matching.models import IntroRequest, TherapistResponsiveness
from profiles.models import AuditEntry, ResponderProfile, User
from profiles.selectors import therapists_listed
from tests.factories import PASSWORD, ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db

CANARY = "canary-7Q2x-pager-at-station-9"


@pytest.fixture
def responder() -> ResponderProfile:
    return ResponderFactory(
        pseudonym="Night Medic",
        answers=Intake(state="CO", concerns=frozenset({"moral_injury"})).to_dict(),
    )


def _dump_all_tables() -> str:
    """Every row of every table, as a plain dump would hold them."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            parts.append(repr(cursor.fetchall()))
    return "\n".join(parts)


def test_a_responder_downloads_all_their_data_as_json(client: Client, responder) -> None:
    therapist = listed_therapist(full_name="Casey Fictional")
    intro_through_service(
        responder,
        therapist,
        message=CANARY,
        contact_method="email",
        contact_email="night.medic@example.test",
    )
    client.force_login(responder.user)
    response = client.get(reverse("matching:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="rapport-my-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == responder.user.email
    assert data["profile"]["name_shown_to_therapists"] == "Night Medic"
    assert data["profile"]["answers"]["concerns"] == ["moral_injury"]
    [intro] = data["intro_requests"]
    assert intro["therapist"] == "Casey Fictional" and intro["message"] == CANARY
    assert intro["contact_email"] == "night.medic@example.test"


def test_only_a_responder_downloads_and_only_their_own(client: Client, responder) -> None:
    other = ResponderFactory(pseudonym="Someone Else")
    client.force_login(other.user)
    data = json.loads(client.get(reverse("matching:export")).content)
    assert data["profile"]["name_shown_to_therapists"] == "Someone Else"
    assert "Night Medic" not in json.dumps(data)
    client.force_login(listed_therapist().user)
    assert client.get(reverse("matching:export")).status_code == 403
    assert Client().get(reverse("matching:export")).status_code == 302


def test_deleting_an_account_removes_everything_the_responder_told_us(
    client: Client, responder, eager_celery, django_capture_on_commit_callbacks
) -> None:
    therapist = listed_therapist(full_name="Casey Fictional")
    waiting = intro_through_service(
        responder, therapist, message=CANARY, contact_method="phone", contact_phone="5550101"
    )
    TherapistResponsiveness.objects.update_or_create(
        therapist=therapist, defaults={"decided": 4, "answered": 3, "median_answer_hours": 5.0}
    )
    email, user_pk = responder.user.email, responder.user.pk
    mail.outbox.clear()
    client.force_login(responder.user)

    assert client.post(reverse("matching:account_delete"), {"password": "wrong"}).status_code == 200
    assert User.objects.filter(pk=user_pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:account_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user_pk).exists()
    assert not ResponderProfile.objects.filter(pk=responder.pk).exists()
    assert not IntroRequest.objects.filter(pk=waiting.pk).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    dump = _dump_all_tables()
    for secret in (email, "Night Medic", "moral_injury", CANARY, "5550101"):
        assert secret not in dump
    # The therapist is told a request was withdrawn, and nothing more.
    [notice] = mail.outbox
    assert notice.to == [therapist.user.email]
    assert "withdrew an intro request" in notice.body
    assert "Night Medic" not in notice.body and CANARY not in notice.body
    # Anonymous aggregates stay.
    assert TherapistResponsiveness.objects.get(therapist=therapist).answered == 3
    # Signed out.
    assert "_auth_user_id" not in client.session


def test_a_therapist_closes_their_account_unlisted_at_once_audit_kept(
    client: Client, responder, eager_celery, totp_user_factory, django_capture_on_commit_callbacks
) -> None:
    therapist = listed_therapist(full_name="Casey Fictional")
    waiting = intro_through_service(responder, therapist)
    totp_user_factory(therapist.user)
    client.force_login(therapist.user)
    client.get(reverse("matching:inbox_detail", args=[waiting.public_id]))  # audited read
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:account_close"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not therapists_listed().filter(pk=therapist.pk).exists()
    therapist.user.refresh_from_db()
    assert therapist.user.is_active is False
    assert IntroRequest.objects.get(pk=waiting.pk).status == IntroRequest.Status.EXPIRED
    assert [m.to for m in mail.outbox] == [[responder.user.email]]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.INTRO_READ)
    assert entry.actor == therapist.user and entry.therapist == therapist
    closed = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CLOSED)
    assert closed.actor == therapist.user and closed.therapist == therapist
    assert closed.before == {"is_active": True, "listed": True}
    assert closed.after == {"is_active": False, "listed": False}
    assert closed.target_type == "profiles.user" and closed.target_id == therapist.user.pk
    page = Client().get(reverse("matching:therapist_detail", args=[therapist.public_id]))
    assert page.status_code == 404
    assert not Client().login(email=therapist.user.email, password=PASSWORD)


def test_after_a_deletion_the_therapist_sees_only_that_the_conversation_ended(
    client: Client, responder, eager_celery, totp_user_factory, django_capture_on_commit_callbacks
) -> None:
    from matching.models import IntroMessage, IntroSnapshot
    from matching.services.intros import intro_answer
    from matching.services.threads import thread_message_send

    therapist = listed_therapist(full_name="Casey Fictional")
    totp_user_factory(therapist.user)
    with django_capture_on_commit_callbacks(execute=True):
        intro = intro_through_service(
            responder, therapist, message=CANARY, contact_method="phone", contact_phone="5550101"
        )
        intro_answer(intro=intro, decision="accepted", reply="canary-reply-of-the-therapist")
        intro.refresh_from_db()
        thread_message_send(intro=intro, sender="responder", body="canary-thread-responder")
        thread_message_send(intro=intro, sender="therapist", body="canary-thread-therapist")
    snapshot_id = IntroSnapshot.objects.get(intro=intro).pk
    client.force_login(responder.user)
    delete_page = client.get(reverse("matching:account_delete")).text
    for promise in ("What goes", "What stays, as anonymous figures", "check-in ratings"):
        assert promise in delete_page
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(reverse("matching:account_delete"), {"password": PASSWORD}).status_code
            == 302
        )

    therapist_client = Client()
    therapist_client.force_login(therapist.user)
    inbox = therapist_client.get(reverse("matching:inbox")).text
    assert "A responder who closed their account" in inbox and "Conversation ended" in inbox
    detail = therapist_client.get(reverse("matching:inbox_detail", args=[intro.public_id]))
    assert detail.status_code == 200
    assert "closed their Rapport account" in detail.text
    for gone in ("Night Medic", CANARY, "5550101", "canary-thread", "canary-reply", "<form"):
        assert gone not in detail.text.split("<main", 1)[1], gone
    # A message to the ended conversation is refused.
    therapist_client.post(
        reverse("matching:inbox_message", args=[intro.public_id]), {"body": "Are you there?"}
    )
    assert not IntroMessage.objects.filter(intro_id=intro.pk).exists()
    stored = IntroRequest.objects.get(pk=intro.pk)
    assert stored.responder is None and stored.thread_closed_reason == "account_closed"
    assert (stored.message, stored.contact_phone, stored.therapist_reply) == ("", "", "")
    snapshot = IntroSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.intro is None and snapshot.for_intro_id == intro.pk
    dump = _dump_all_tables()
    for secret in ("Night Medic", CANARY, "5550101", "canary-thread", "canary-reply"):
        assert secret not in dump
