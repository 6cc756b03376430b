"""The audit trail: every sensitive read and every vetting decision leaves an entry."""

from __future__ import annotations

from typing import Any

from profiles.models import AuditEntry, User


def audit_record(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    therapist_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add an entry to the audit trail; entries are never changed afterwards."""
    entry = AuditEntry(
        actor=actor,
        actor_email=actor.email,
        action=action,
        target_type=target_type,
        target_id=target_id,
        therapist_id=therapist_id,
        before=before or {},
        after=after or {},
        reason=reason,
    )
    entry.full_clean()
    entry.save()
    return entry
