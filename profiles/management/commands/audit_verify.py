"""Check that the audit trail is whole: every entry present, unchanged and in order."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from profiles.models import AuditEntry
from profiles.selectors import audit_chain_first_break


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name the first entry that breaks it."

    def handle(self, *args: Any, **options: Any) -> None:
        first_break = audit_chain_first_break()
        if first_break:
            raise CommandError(f"The audit trail is broken at {first_break}")
        count = AuditEntry.objects.count()
        self.stdout.write(f"The audit trail is whole: {count} entries, each linked to the last.")
