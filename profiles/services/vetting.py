"""Staff decisions on licenses and trainings, the audit trail, and the emails they cause."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from profiles.emails import send_templated_email
from profiles.models import AuditEntry, License, ResponderTraining, User, VettingStatus
from profiles.services.audit import audit_record

EXPIRY_REMINDER_DAYS = (60, 30, 7)
VETTED_KINDS: dict[str, type[License] | type[ResponderTraining]] = {
    "license": License,
    "training": ResponderTraining,
}


def record_version(record: License | ResponderTraining) -> str:
    """What a reviewer saw: a decision on anything else is refused as stale."""
    return f"{record.status}:{record.submitted_at.isoformat()}:{record.decided_at or ''}"


def _snapshot(record: License | ResponderTraining) -> dict[str, Any]:
    if isinstance(record, License):
        claim = {
            "state": record.state,
            "license_type": record.license_type,
            "number": record.number,
            "expires_on": record.expires_on.isoformat(),
            "board_lookup_url": record.board_lookup_url,
        }
    else:
        claim = {
            "kind": record.kind,
            "name": record.name,
            "issuer": record.issuer,
            "completed_on": record.completed_on.isoformat(),
        }
    return {
        **claim,
        "status": record.status,
        "decision_reason": record.decision_reason,
        "document": record.document.name,
    }


@transaction.atomic
def vetting_decide(
    *,
    kind: str,
    record_id: int,
    staff: User,
    decision: str,
    reason: str,
    board_lookup_url: str = "",
    version: str,
) -> License | ResponderTraining:
    """Verify or reject a license or training, audit it, and tell the therapist after commit."""
    from profiles.tasks import send_vetting_decision

    if not staff.is_staff:
        raise PermissionError("Only staff decide on credentials.")
    if decision not in (VettingStatus.VERIFIED, VettingStatus.REJECTED):
        raise ValidationError("Choose to verify or to reject.")
    model = VETTED_KINDS[kind]
    record = model.objects.select_for_update().get(pk=record_id)
    if record_version(record) != version:
        raise ValidationError(
            "This record changed since you opened it: the therapist edited it or someone "
            "else decided. Review it again."
        )
    before = _snapshot(record)
    record.status = decision
    record.decision_reason = reason.strip()
    record.decided_at = timezone.now()
    record.decided_by = staff
    if isinstance(record, License) and decision == VettingStatus.VERIFIED:
        record.board_lookup_url = board_lookup_url
    record.full_clean()
    record.save()
    audit_record(
        actor=staff,
        action=decision,
        target_type=kind,
        target_id=record.pk,
        therapist_id=record.therapist_id,
        before=before,
        after=_snapshot(record),
        reason=record.decision_reason,
    )
    transaction.on_commit(lambda: send_vetting_decision.delay(kind, record.pk))
    return record


def document_viewed(*, staff: User, record: License | ResponderTraining, kind: str) -> None:
    """Audit a staff member opening a therapist's evidence document."""
    audit_record(
        actor=staff,
        action=AuditEntry.Action.DOCUMENT_VIEWED,
        target_type=kind,
        target_id=record.pk,
        therapist_id=record.therapist_id,
        after={"document": record.document.name},
    )


def vetting_decision_notify(*, kind: str, record_id: int) -> bool:
    """Email the therapist that a decision was made, once per decision."""
    model = VETTED_KINDS[kind]
    with transaction.atomic():
        record = (
            model.objects.select_for_update(of=("self",))
            .select_related("therapist__user")
            .filter(pk=record_id)
            .first()
        )
        if record is None or record.decided_at is None:
            return False
        if record.decision_notified_at and record.decision_notified_at >= record.decided_at:
            return False
        send_templated_email(
            to=record.therapist.user.email,
            template="vetting-decision",
            context={"noun": kind, "credentials_path": reverse("profiles:credentials")},
        )
        record.decision_notified_at = timezone.now()
        record.save(update_fields=["decision_notified_at"])
        return True


def license_expiry_threshold(days_left: int) -> int | None:
    """The reminder a license this close to expiry is due: 60, 30 or 7 days, or none."""
    due = [days for days in EXPIRY_REMINDER_DAYS if days_left <= days]
    return min(due) if due and days_left > 0 else None


def license_expiry_remind(*, license_id: int, today: dt.date | None = None) -> bool:
    """Email one reminder per threshold (60, 30, 7 days) before a verified license expires."""
    today = today or timezone.localdate()
    with transaction.atomic():
        license = (
            License.objects.select_for_update(of=("self",))
            .select_related("therapist__user")
            .filter(pk=license_id, status=VettingStatus.VERIFIED)
            .first()
        )
        if license is None:
            return False
        days_left = (license.expires_on - today).days
        threshold = license_expiry_threshold(days_left)
        already = license.last_expiry_reminder_days
        if threshold is None or (already is not None and already <= threshold):
            return False
        send_templated_email(
            to=license.therapist.user.email,
            template="license-expiry",
            context={
                "days_left": days_left,
                "expires_on": license.expires_on,
                "credentials_path": reverse("profiles:credentials"),
            },
        )
        license.last_expiry_reminder_days = threshold
        license.save(update_fields=["last_expiry_reminder_days"])
        return True
