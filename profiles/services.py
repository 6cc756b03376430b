"""Writes to profiles. Every function is keyword-only, validates, and runs in a transaction."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from profiles.crypto import DecryptionError, decrypt_text, encrypt_text
from profiles.editor import profile_completeness
from profiles.emails import send_templated_email
from profiles.geo import zip_place
from profiles.models import (
    License,
    ResponderProfile,
    ResponderTraining,
    TherapistProfile,
    User,
    VettingStatus,
)
from profiles.uploads import EXTENSIONS, CheckedUpload, reencode_photo

# The intake answers a visitor gives before having an account, encrypted in the session.
ANSWERS_SESSION_KEY = "rapport_answers"


def answers_to_session(*, session: SessionBase, answers: dict[str, Any]) -> None:
    """Keep a visitor's answers in their session, encrypted like everything they tell us."""
    session[ANSWERS_SESSION_KEY] = encrypt_text(json.dumps(answers, sort_keys=True))


def answers_from_session(*, session: SessionBase) -> dict[str, Any]:
    token = session.get(ANSWERS_SESSION_KEY)
    if not token:
        return {}
    try:
        return json.loads(decrypt_text(token))
    except (DecryptionError, ValueError):
        session.pop(ANSWERS_SESSION_KEY, None)
        return {}


@transaction.atomic
def account_profile_create(
    *,
    user: User,
    role: str,
    pseudonym: str = "",
    full_name: str = "",
    session: SessionBase | None = None,
) -> ResponderProfile | TherapistProfile:
    """Create the profile that goes with a new account, carrying over answers from the session."""
    if role == User.Role.RESPONDER:
        answers = answers_from_session(session=session) if session is not None else {}
        profile: ResponderProfile | TherapistProfile = ResponderProfile(
            user=user, pseudonym=pseudonym.strip(), answers=answers
        )
    elif role == User.Role.THERAPIST:
        profile = TherapistProfile(user=user, full_name=full_name.strip())
    else:
        raise ValidationError("Only responders and therapists sign up; staff are made by staff.")
    profile.full_clean()
    profile.save()
    if session is not None:
        session.pop(ANSWERS_SESSION_KEY, None)
    return profile


@transaction.atomic
def responder_answers_update(*, profile: ResponderProfile, answers: dict[str, Any]) -> None:
    profile.answers = answers
    profile.save(update_fields=["answers", "updated_at"])


@transaction.atomic
def responder_pseudonym_update(*, profile: ResponderProfile, pseudonym: str) -> None:
    profile.pseudonym = pseudonym.strip()
    profile.full_clean()
    profile.save(update_fields=["pseudonym", "updated_at"])


@transaction.atomic
def therapist_profile_update(
    *, therapist: TherapistProfile, fields: dict[str, Any]
) -> TherapistProfile:
    """Save one section of the profile; office location follows the ZIP code."""
    for name, value in fields.items():
        setattr(therapist, name, value)
    update = set(fields)
    if "office_zip" in fields:
        place = zip_place(therapist.office_zip) if therapist.office_zip else None
        therapist.office_city = place.city if place else ""
        therapist.office_state = place.state if place else ""
        therapist.office_latitude = place.latitude if place else None
        therapist.office_longitude = place.longitude if place else None
        update |= {"office_city", "office_state", "office_latitude", "office_longitude"}
    therapist.full_clean()
    therapist.save(update_fields=[*sorted(update), "updated_at"])
    return therapist


@transaction.atomic
def therapist_capacity_update(
    *, therapist: TherapistProfile, accepting_new_clients: bool, open_slots: int
) -> TherapistProfile:
    """Save capacity; saving it is also confirming it is current."""
    therapist.accepting_new_clients = accepting_new_clients
    therapist.open_slots = open_slots if accepting_new_clients else 0
    therapist.confirmed_at = timezone.now()
    therapist.confirmation_reminder_sent_at = None
    therapist.full_clean()
    therapist.save(
        update_fields=[
            "accepting_new_clients",
            "open_slots",
            "confirmed_at",
            "confirmation_reminder_sent_at",
            "updated_at",
        ]
    )
    return therapist


@transaction.atomic
def therapist_photo_set(*, therapist: TherapistProfile, upload: CheckedUpload) -> None:
    old = therapist.photo.name if therapist.photo else ""
    therapist.photo.save(f"{uuid.uuid4().hex}.jpg", reencode_photo(upload.file), save=False)
    therapist.save(update_fields=["photo", "updated_at"])
    if old:
        transaction.on_commit(lambda: therapist.photo.storage.delete(old))


@transaction.atomic
def therapist_photo_remove(*, therapist: TherapistProfile) -> None:
    if not therapist.photo:
        return
    old = therapist.photo.name
    therapist.photo = ""
    therapist.save(update_fields=["photo", "updated_at"])
    transaction.on_commit(lambda: therapist.photo.storage.delete(old))


@transaction.atomic
def therapist_confirm(*, therapist: TherapistProfile) -> None:
    """Record that the therapist says the whole profile is still accurate."""
    therapist.confirmed_at = timezone.now()
    therapist.confirmation_reminder_sent_at = None
    therapist.save(update_fields=["confirmed_at", "confirmation_reminder_sent_at", "updated_at"])


@transaction.atomic
def therapist_publish(*, therapist: TherapistProfile) -> None:
    """Publish a complete profile; it is listed once a license is verified."""
    completeness = profile_completeness(therapist)
    if not completeness.is_complete:
        missing = [item for status in completeness.sections for item in status.missing]
        raise ValidationError(["Complete your profile first. Still missing: " + "; ".join(missing)])
    now = timezone.now()
    therapist.published_at = therapist.published_at or now
    therapist.confirmed_at = now
    therapist.confirmation_reminder_sent_at = None
    therapist.save(
        update_fields=[
            "published_at",
            "confirmed_at",
            "confirmation_reminder_sent_at",
            "updated_at",
        ]
    )


@transaction.atomic
def therapist_unpublish(*, therapist: TherapistProfile) -> None:
    therapist.published_at = None
    therapist.save(update_fields=["published_at", "updated_at"])


def _store_evidence(record: License | ResponderTraining, upload: CheckedUpload) -> None:
    extension = "pdf" if upload.content_type.endswith("pdf") else upload.content_type.split("/")[1]
    record.document.save(f"evidence.{extension}", upload.file, save=False)
    record.document_content_type = upload.content_type


def _back_to_pending(record: License | ResponderTraining) -> None:
    record.status = VettingStatus.PENDING
    record.decision_reason = ""
    record.decided_at = None
    record.decided_by = None
    record.submitted_at = timezone.now()


VettedRecordT = TypeVar("VettedRecordT", License, ResponderTraining)


@transaction.atomic
def vetted_record_create(
    *,
    model: type[VettedRecordT],
    therapist: TherapistProfile,
    fields: dict[str, Any],
    evidence: CheckedUpload,
) -> VettedRecordT:
    """Add a license or training, pending review, with its evidence stored privately."""
    record = model(therapist=therapist, **fields)
    _store_evidence(record, evidence)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def vetted_record_update(
    *, record: VettedRecordT, fields: dict[str, Any], evidence: CheckedUpload | None
) -> VettedRecordT:
    """Save an edit; any change to what staff checked sends the record back for review."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    changed = any(getattr(record, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(record, name, value)
    old_document = record.document.name
    if evidence is not None:
        _store_evidence(record, evidence)
    if changed or evidence is not None:
        record.status = VettingStatus.PENDING
        record.decision_reason = ""
        record.decided_at = None
        record.decided_by = None
        record.submitted_at = timezone.now()
    record.full_clean()
    record.save()
    if evidence is not None and old_document:
        storage = record.document.storage
        transaction.on_commit(lambda: storage.delete(old_document))
    return record


@transaction.atomic
def vetted_record_delete(*, record: License | ResponderTraining) -> None:
    document, storage = record.document.name, record.document.storage
    record.delete()
    if document:
        transaction.on_commit(lambda: storage.delete(document))


def _store_evidence(record: License | ResponderTraining, upload: CheckedUpload) -> None:
    extension = EXTENSIONS[upload.content_type][0]
    # The uploaded name is never used: upload_to generates one.
    record.document.save(f"evidence.{extension}", upload.file, save=False)
    record.document_content_type = upload.content_type


def therapist_confirmation_remind(*, therapist_id: int) -> bool:
    """Email one reminder to confirm the profile; sends at most once per confirmation."""
    with transaction.atomic():
        therapist = (
            TherapistProfile.objects.select_for_update()
            .select_related("user")
            .filter(
                pk=therapist_id,
                published_at__isnull=False,
                confirmation_reminder_sent_at__isnull=True,
                confirmed_at__lte=timezone.now()
                - dt.timedelta(days=settings.PROFILE_CONFIRMATION_REMINDER_DAYS),
            )
            .first()
        )
        if therapist is None:
            return False
        send_templated_email(
            to=therapist.user.email,
            template="profile-confirm",
            context={
                "days_since": (timezone.now() - therapist.confirmed_at).days,
                "max_age_days": settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS,
                "editor_path": reverse("profiles:editor"),
            },
        )
        therapist.confirmation_reminder_sent_at = timezone.now()
        therapist.save(update_fields=["confirmation_reminder_sent_at"])
        return True
