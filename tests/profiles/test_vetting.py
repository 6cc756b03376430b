"""Staff vet licenses and trainings with evidence, reasons and an audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles.models import AuditEntry, License, VettingStatus
from profiles.selectors import therapist_is_listed
from profiles.services.vetting import license_expiry_remind, record_version
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, staff_with_mfa) -> Client:
    client.force_login(staff_with_mfa)
    return client


def review_url(record, kind: str = "license") -> str:
    return reverse("profiles:vetting_review", args=[kind, record.pk])


def decide(client: Client, record, kind: str = "license", **data: str):
    form = {
        "decision": "verified",
        "board_lookup_url": "https://board.example/lookup?n=1",
        "reason": "",
        "version": record_version(record),
    }
    form.update(data)
    return client.post(review_url(record, kind), form)


def test_the_queue_lists_pending_records_oldest_first(staff_client: Client) -> None:
    now = timezone.now()
    newer = LicenseFactory(status=VettingStatus.PENDING, submitted_at=now)
    older = TrainingFactory(status=VettingStatus.PENDING, submitted_at=now - dt.timedelta(days=2))
    LicenseFactory(status=VettingStatus.VERIFIED)
    page = staff_client.get(reverse("profiles:vetting_queue")).text
    assert "2 waiting" in page
    assert page.index(older.therapist.full_name) < page.index(newer.therapist.full_name)


def test_verifying_a_license_is_audited_and_the_therapist_is_emailed_once(
    staff_client: Client, staff_with_mfa, eager_celery, django_capture_on_commit_callbacks
) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING, therapist__confirmed_at=timezone.now())
    assert not therapist_is_listed(therapist=license.therapist)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(staff_client, license)
    assert response.status_code == 302
    license.refresh_from_db()
    assert license.status == VettingStatus.VERIFIED
    assert license.decided_by == staff_with_mfa
    assert license.board_lookup_url == "https://board.example/lookup?n=1"
    assert therapist_is_listed(therapist=license.therapist)

    entry = AuditEntry.objects.get(action="verified")
    assert (entry.actor_email, entry.target_type, entry.target_id) == (
        "vetter@example.test",
        "license",
        license.pk,
    )
    assert entry.before["status"] == "pending" and entry.after["status"] == "verified"
    assert entry.after["board_lookup_url"] == "https://board.example/lookup?n=1"

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [license.therapist.user.email]
    assert "/therapist/profile/credentials/" in email.body
    assert license.number not in email.body
    from profiles.tasks import send_vetting_decision

    assert send_vetting_decision(kind="license", record_id=license.pk) is False  # sent once
    assert len(mail.outbox) == 1


def test_rejecting_needs_a_reason_which_the_therapist_sees(
    staff_client: Client, client: Client
) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    response = decide(staff_client, license, decision="rejected", reason="  ")
    assert "Give the therapist a reason for the rejection." in response.text
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING

    decide(staff_client, license, decision="rejected", reason="The number is not on the board.")
    license.refresh_from_db()
    assert license.status == VettingStatus.REJECTED
    owner = Client()
    owner.force_login(license.therapist.user)
    page = owner.get(reverse("profiles:credentials")).text
    assert "The number is not on the board." in page
    assert AuditEntry.objects.get(action="rejected").reason == "The number is not on the board."


def test_verifying_a_license_needs_the_board_lookup_page(staff_client: Client) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    response = decide(staff_client, license, board_lookup_url="")
    assert "Record the board&#x27;s look-up page" in response.text
    response = decide(staff_client, license, board_lookup_url="not a url at all")
    assert "Enter a valid URL" in response.text
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING
    assert not AuditEntry.objects.exists()


def test_a_training_is_verified_without_a_board_page(staff_client: Client) -> None:
    training = TrainingFactory(status=VettingStatus.PENDING)
    assert decide(staff_client, training, kind="training").status_code == 302
    training.refresh_from_db()
    assert training.status == VettingStatus.VERIFIED


def test_a_stale_decision_is_refused(staff_client: Client) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    seen = record_version(license)
    License.objects.filter(pk=license.pk).update(number="EDITED-1", submitted_at=timezone.now())
    response = decide(staff_client, license, version=seen)
    assert "This record changed since you opened it" in response.text
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING


STAFF_VIEWS = [
    ("profiles:vetting_queue", []),
    ("profiles:audit_trail", []),
    ("profiles:vetting_review", ["license"]),
]


@pytest.mark.parametrize("role", ["responder", "therapist", "owner"])
@pytest.mark.parametrize(("url_name", "args"), STAFF_VIEWS)
def test_non_staff_cannot_reach_the_vetting_pages_or_decide(
    client: Client, role: str, url_name: str, args: list
) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    user = {
        "responder": lambda: ResponderFactory().user,
        "therapist": lambda: TherapistFactory().user,
        "owner": lambda: license.therapist.user,
    }[role]()
    client.force_login(user)
    url = reverse(url_name, args=[*args, license.pk] if args else [])
    assert client.get(url).status_code == 403
    crafted = {
        "decision": "verified",
        "board_lookup_url": "https://x.example",
        "version": record_version(license),
    }
    assert client.post(url, crafted).status_code in {403, 405}
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING


@pytest.mark.parametrize(("url_name", "args"), STAFF_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, url_name: str, args: list) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    url = reverse(url_name, args=[*args, license.pk] if args else [])
    response = client.post(url, {"decision": "verified", "version": record_version(license)})
    assert response.status_code in {302, 405}
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING


def test_staff_without_two_factor_are_sent_to_set_it_up(client: Client) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    client.force_login(StaffFactory())
    response = decide(client, license)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING


def document_url(record, kind: str = "license") -> str:
    return reverse("profiles:document", args=[kind, record.pk])


def test_the_owner_downloads_their_document_as_an_attachment(client: Client) -> None:
    license = LicenseFactory()
    client.force_login(license.therapist.user)
    response = client.get(document_url(license))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="license-{license.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert not AuditEntry.objects.exists()  # the owner's own reads are not staff reads


def test_a_staff_view_of_a_document_is_audited(staff_client: Client) -> None:
    training = TrainingFactory()
    response = staff_client.get(document_url(training, "training"))
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "document_viewed",
        "training",
        training.pk,
    )


@pytest.mark.parametrize("role", ["anonymous", "responder", "other_therapist"])
def test_no_one_else_can_read_evidence(client: Client, role: str) -> None:
    license = LicenseFactory()
    if role == "responder":
        client.force_login(ResponderFactory().user)
    elif role == "other_therapist":
        client.force_login(TherapistFactory().user)
    assert client.get(document_url(license)).status_code == 404
    assert (
        client.get(reverse("profiles:document", args=["passport", license.pk])).status_code == 404
    )


def test_staff_without_two_factor_cannot_read_evidence(client: Client) -> None:
    license = LicenseFactory()
    client.force_login(StaffFactory())
    assert client.get(document_url(license)).status_code == 302
    assert not AuditEntry.objects.exists()


def test_evidence_never_has_a_public_url() -> None:
    license = LicenseFactory()
    from django.conf import settings

    assert not str(settings.PRIVATE_FILES_DIR).startswith(str(settings.STATIC_ROOT))
    assert settings.PRIVATE_FILES_DIR != settings.MEDIA_ROOT
    assert license.document.name.startswith("evidence/")


def test_audit_entries_cannot_be_changed_or_deleted(staff_client: Client) -> None:
    decide(staff_client, LicenseFactory(status=VettingStatus.PENDING))
    entry = AuditEntry.objects.get()
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_to_change_the_audit_trail(staff_client: Client) -> None:
    decide(staff_client, LicenseFactory(status=VettingStatus.PENDING))
    entry = AuditEntry.objects.get()
    for sql in (
        "UPDATE profiles_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM profiles_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get().reason == ""


def test_a_staff_account_named_in_the_audit_trail_is_closed_not_deleted(
    staff_client: Client, staff_with_mfa
) -> None:
    decide(staff_client, LicenseFactory(status=VettingStatus.PENDING))
    with pytest.raises(ProtectedError):
        staff_with_mfa.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor == staff_with_mfa and entry.actor_email == "vetter@example.test"


def test_the_audit_trail_page_shows_decisions(staff_client: Client) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    decide(staff_client, license, decision="rejected", reason="Blurry scan")
    page = staff_client.get(reverse("profiles:audit_trail")).text
    assert "vetter@example.test" in page and "Blurry scan" in page and "pending → rejected" in page


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [(61, None), (60, 60), (45, 60), (30, 30), (8, 30), (7, 7), (1, 7), (0, None)],
)
def test_expiry_reminders_go_out_at_60_30_and_7_days(days_before: int, expected) -> None:
    license = LicenseFactory(expires_on=timezone.localdate() + dt.timedelta(days=days_before))
    sent = license_expiry_remind(license_id=license.pk)
    license.refresh_from_db()
    assert sent is (expected is not None)
    assert license.last_expiry_reminder_days == expected


def test_each_expiry_reminder_is_sent_once() -> None:
    expiry = timezone.localdate() + dt.timedelta(days=90)
    license = LicenseFactory(expires_on=expiry)
    sent_on = []
    for day in range(91):
        today = timezone.localdate() + dt.timedelta(days=day)
        with time_machine.travel(dt.datetime.combine(today, dt.time(12))):
            if license_expiry_remind(license_id=license.pk, today=today):
                sent_on.append((expiry - today).days)
    assert sent_on == [60, 30, 7]
    assert len(mail.outbox) == 3
    assert "expires in 7 days" in mail.outbox[-1].subject
