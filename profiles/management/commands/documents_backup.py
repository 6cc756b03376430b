"""Documents backup: see profiles/services/documents_backup.py and the README's backups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.services.documents_backup import DocumentsBackupError, documents_backup


class Command(BaseCommand):
    help = "Copy every document the database names from private storage into an empty folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = documents_backup(folder=options["folder"])
        except DocumentsBackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up {result.files} documents ({result.bytes} bytes).")
