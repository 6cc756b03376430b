"""The audit trail: every sensitive read and every decision leaves an entry, chained by hash."""

from __future__ import annotations

import zlib
from typing import Any

from django.db import connection, transaction

from profiles.audit_chain import GENESIS_HASH, entry_hash
from profiles.models import AuditEntry, User

# One lock for everyone who adds an entry, so each entry follows exactly one other.
_CHAIN_LOCK_ID = zlib.crc32(b"rapport.audit_chain")


@transaction.atomic
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
    """Add an entry to the audit trail, linked to the last one; entries are never changed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
    last = AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash").first()
    entry = AuditEntry(
        sequence=(last["sequence"] + 1) if last else 1,
        previous_hash=last["entry_hash"] if last else GENESIS_HASH,
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
    entry.entry_hash = entry_hash(_chained_values(entry))
    entry.full_clean()
    entry.save()
    return entry


def _chained_values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "therapist_id": entry.therapist_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "created_at": entry.created_at,
        "previous_hash": entry.previous_hash,
    }
