"""Writes a therapist makes to their own profile, licenses and trainings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from profiles.editor import profile_completeness
from profiles.emails import send_templated_email
from profiles.geo import zip_place
from profiles.models import (
    License,
    ResponderTraining,
    ReviewReason,
    TherapistProfile,
    VettingStatus,
)
from profiles.uploads import EXTENSIONS, PDF, CheckedUpload, reencode_evidence_image, reencode_photo


def therapist_completeness_refresh(*, therapist: TherapistProfile) -> bool:
    """Record whether every section is complete; the listing requires it. Returns it."""
    complete = profile_completeness(therapist).is_complete
    if therapist.profile_complete != complete:
        therapist.profile_complete = complete
        therapist.save(update_fields=["profile_complete", "updated_at"])
    return complete


@transaction.atomic
def therapist_profile_update(
    *, therapist: TherapistProfile, fields: dict[str, Any]
) -> TherapistProfile:
    """Save what changed in one section of the profile; office location follows the ZIP code.

    Fields whose value is what is stored are not written, and a section saved unchanged
    writes nothing at all. A new name sends every license back to review: staff verified a
    license in the name it was issued to, and the public page must not show it verified
    under another.
    """
    # Compared with the stored row: a ModelForm has already set its values on `therapist`.
    stored = TherapistProfile.objects.select_for_update().get(pk=therapist.pk)
    update = {name for name, value in fields.items() if getattr(stored, name) != value}
    if not update:
        therapist.refresh_from_db()
        return therapist
    therapist.refresh_from_db()
    for name in update:
        setattr(therapist, name, fields[name])
    if "office_zip" in update:
        place = zip_place(therapist.office_zip) if therapist.office_zip else None
        therapist.office_city = place.city if place else ""
        therapist.office_state = place.state if place else ""
        therapist.office_latitude = place.latitude if place else None
        therapist.office_longitude = place.longitude if place else None
        update |= {"office_city", "office_state", "office_latitude", "office_longitude"}
    therapist.full_clean()
    therapist.save(update_fields=[*sorted(update), "updated_at"])
    if "full_name" in update:
        verified = License.objects.select_for_update().filter(
            therapist=therapist, status=VettingStatus.VERIFIED
        )
        note = f"Name changed from “{stored.full_name}” to “{therapist.full_name}”."
        sent_back = 0
        for license in verified:
            _back_to_pending(license, reason=ReviewReason.NAME_CHANGED, note=note)
            license.save()
            sent_back += 1
        if sent_back:
            _tell_review_again(therapist)
    therapist_completeness_refresh(therapist=therapist)
    return therapist


def licenses_sent_back_by_rename(*, therapist: TherapistProfile) -> list[License]:
    """The licenses a new name would send back to review: every verified one."""
    return list(
        therapist.licenses.filter(status=VettingStatus.VERIFIED).order_by("state", "number")
    )


def _tell_review_again(therapist: TherapistProfile) -> None:
    """Email the therapist, after the commit, that a verified license went back to review."""
    from profiles.tasks import send_review_again_notice

    therapist_id = therapist.pk
    transaction.on_commit(lambda: send_review_again_notice.delay(therapist_id))


@transaction.atomic
def therapist_capacity_update(
    *, therapist: TherapistProfile, accepting_new_clients: bool, open_slots: int
) -> TherapistProfile:
    """Save capacity; saving it is also confirming it is current. Openings the therapist
    sets themselves end any closing by the count-down (and its reopen link)."""
    therapist.accepting_new_clients = accepting_new_clients
    therapist.open_slots = open_slots if accepting_new_clients else 0
    therapist.openings_closed_at = None
    therapist.openings_closed_notified_at = None
    therapist.confirmed_at = timezone.now()
    therapist.confirmation_reminder_sent_at = None
    therapist.full_clean()
    therapist.save(
        update_fields=[
            "accepting_new_clients",
            "open_slots",
            "openings_closed_at",
            "openings_closed_notified_at",
            "confirmed_at",
            "confirmation_reminder_sent_at",
            "updated_at",
        ]
    )
    therapist_completeness_refresh(therapist=therapist)
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
    therapist.profile_complete = True
    therapist.confirmed_at = now
    therapist.confirmation_reminder_sent_at = None
    therapist.save(
        update_fields=[
            "published_at",
            "profile_complete",
            "confirmed_at",
            "confirmation_reminder_sent_at",
            "updated_at",
        ]
    )


@transaction.atomic
def therapist_unpublish(*, therapist: TherapistProfile) -> None:
    therapist.published_at = None
    therapist.save(update_fields=["published_at", "updated_at"])


REVIEW_NOTE_MAX_CHARS = 300


def _back_to_pending(record: License | ResponderTraining, *, reason: str, note: str) -> None:
    """Send a record back to review, keeping why for staff: a verified one keeps when it was
    verified (re-reviews come first in the queue), a rejected one is a resubmission, and one
    already waiting again keeps its reason and adds what changed since."""
    if record.status == VettingStatus.VERIFIED:
        record.previously_verified_at = record.decided_at or timezone.now()
        record.review_reason, record.review_note = reason, note
    elif record.status == VettingStatus.REJECTED:
        record.previously_verified_at = None
        record.review_reason, record.review_note = ReviewReason.RESUBMITTED, note
    elif record.review_reason:
        record.review_note = f"{record.review_note} Then: {note}".strip()
    if len(record.review_note) > REVIEW_NOTE_MAX_CHARS:
        record.review_note = record.review_note[: REVIEW_NOTE_MAX_CHARS - 1] + "…"
    record.status = VettingStatus.PENDING
    record.decision_reason = ""
    record.decided_at = None
    record.decided_by = None
    record.submitted_at = timezone.now()
    if isinstance(record, License):
        record.last_expiry_reminder_days = None


# What a therapist may change of a license or training, as a staff note names it.
CHECKED_FIELD_WORDS = {
    "state": "state",
    "license_type": "type",
    "number": "number",
    "expires_on": "expiry",
    "kind": "kind",
    "name": "name",
    "issuer": "issuer",
    "completed_on": "completion date",
    "hours": "hours",
}


def vetted_record_changes(record: License | ResponderTraining, fields: dict[str, Any]) -> list[str]:
    """What an edit changes of what staff checked, in words: ["number “A” to “B”"]."""
    changes = []
    for name, value in fields.items():
        before = getattr(record, name)
        if before != value:
            shown = [
                v.isoformat() if isinstance(v, dt.date) else str(v if v is not None else "none")
                for v in (before, value)
            ]
            changes.append(f"{CHECKED_FIELD_WORDS.get(name, name)} “{shown[0]}” to “{shown[1]}”")
    return changes


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
    therapist_completeness_refresh(therapist=therapist)
    return record


@transaction.atomic
def vetted_record_update(
    *, record: VettedRecordT, fields: dict[str, Any], evidence: CheckedUpload | None
) -> VettedRecordT:
    """Save an edit; any change to what staff checked sends the record back for review."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    changes = vetted_record_changes(record, fields)
    if not changes and evidence is None:
        return record
    was_verified = record.status == VettingStatus.VERIFIED
    for name, value in fields.items():
        setattr(record, name, value)
    old_document = record.document.name
    if evidence is not None:
        _store_evidence(record, evidence)
    _back_to_pending(
        record,
        reason=ReviewReason.DETAILS_CHANGED if changes else ReviewReason.NEW_DOCUMENT,
        note="Changed: " + "; ".join([*changes, *(["a new document"] if evidence else [])]) + ".",
    )
    record.full_clean()
    record.save()
    if was_verified and isinstance(record, License):
        _tell_review_again(record.therapist)
    if evidence is not None and old_document:
        storage = record.document.storage
        transaction.on_commit(lambda: storage.delete(old_document))
    return record


@transaction.atomic
def vetted_record_delete(*, record: License | ResponderTraining) -> None:
    document, storage = record.document.name, record.document.storage
    therapist = record.therapist
    record.delete()
    therapist_completeness_refresh(therapist=therapist)
    if document:
        transaction.on_commit(lambda: storage.delete(document))


def _store_evidence(record: License | ResponderTraining, upload: CheckedUpload) -> None:
    extension = EXTENSIONS[upload.content_type][0]
    # Images are stored drawn again, so the stored original carries nothing but the image;
    # a PDF is stored as checked (active content refused) and staff see it redrawn.
    content = (
        upload.file
        if upload.content_type == PDF
        else reencode_evidence_image(upload.file, content_type=upload.content_type)
    )
    # The uploaded name is never used: upload_to generates one.
    record.document.save(f"evidence.{extension}", content, save=False)
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


def review_again_notify(*, therapist_id: int) -> bool:
    """Email the therapist, once for each return, that licenses staff had verified wait for
    review again, why, and whether responders can still find them. No name, no number."""
    from profiles.selectors import duration_words, license_vetting_times, therapist_is_listed

    with transaction.atomic():
        therapist = TherapistProfile.objects.select_related("user").filter(pk=therapist_id).first()
        if therapist is None or not therapist.user.is_active:
            return False
        waiting = list(
            License.objects.select_for_update()
            .filter(
                therapist=therapist,
                status=VettingStatus.PENDING,
                previously_verified_at__isnull=False,
            )
            .filter(
                Q(review_notified_at__isnull=True) | Q(review_notified_at__lt=F("submitted_at"))
            )
        )
        if not waiting:
            return False
        usual = license_vetting_times().median
        send_templated_email(
            to=therapist.user.email,
            template="license-review-again",
            context={
                "count": len(waiting),
                "renamed": any(r.review_reason == ReviewReason.NAME_CHANGED for r in waiting),
                "listed": therapist_is_listed(therapist=therapist),
                "usual": duration_words(usual) if usual else "",
                "editor_path": reverse("profiles:editor"),
            },
        )
        now = timezone.now()
        for license in waiting:
            license.review_notified_at = now
            license.save(update_fields=["review_notified_at"])
        return True
