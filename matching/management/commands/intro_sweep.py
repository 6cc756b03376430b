"""Run the intro request sweep once: expire, and queue again what is still waiting."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from matching.services.intros import intro_sweep


class Command(BaseCommand):
    help = "Expire old intro requests and queue again those not delivered or not notified."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = intro_sweep()
        self.stdout.write(
            f"expired {counts['expired']}, requeued {counts['requeued']}, "
            f"renotified {counts['renotified']}"
        )
