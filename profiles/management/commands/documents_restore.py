"""Documents restore: see profiles/services/documents_backup.py and the README's backups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.services.documents_backup import DocumentsBackupError, documents_restore


class Command(BaseCommand):
    help = "Write the documents of a backup folder into the private storage configured now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = documents_restore(folder=options["folder"])
        except DocumentsBackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {result.files} documents ({result.bytes} bytes).")
