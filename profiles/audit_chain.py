"""The hash chain that links each audit entry to the one before it.

Each entry stores the hash of the previous entry and its own hash, computed over its
content and that previous hash. Removing, changing or reordering any entry breaks the
chain from there on, which `manage.py audit_verify` finds and names. Plain Python, so
migrations can use it as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = (
    "sequence",
    "actor_id",
    "actor_email",
    "action",
    "target_type",
    "target_id",
    "therapist_id",
    "before",
    "after",
    "reason",
    "created_at",
    "previous_hash",
)


def _normal(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def entry_hash(values: dict[str, Any]) -> str:
    """Hash an entry's content and the hash of the entry before it."""
    content = {name: _normal(values[name]) for name in CHAINED_FIELDS}
    # Through JSON and back, so the values hash as the database returns them.
    canonical = json.dumps(
        json.loads(json.dumps(content, sort_keys=True)), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
