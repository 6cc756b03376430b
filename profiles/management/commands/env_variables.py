"""List every environment variable the settings read (see config/env_variables.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from config.env_variables import env_variables


class Command(BaseCommand):
    help = "List every environment variable Rapport's settings read, with its default."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        for variable in env_variables():
            default = f"  (default {variable.default})" if variable.default else ""
            self.stdout.write(f"{variable.name}  [{variable.reader}]{default}")
