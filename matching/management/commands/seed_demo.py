"""Seed clearly fictional demo data; safe to run any number of times."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from profiles.models import User

DEMO_ADMIN_EMAIL = "admin@demo.rapport.localhost"
DEMO_PASSWORD = "rapport-demo-only"  # noqa: S105 (printed for local demo accounts only)


class Command(BaseCommand):
    help = "Create demo accounts and data (fictional); running it again changes nothing."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        admin, created = User.objects.get_or_create(
            email=DEMO_ADMIN_EMAIL,
            defaults={"role": User.Role.STAFF, "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=admin, email=admin.email, defaults={"verified": True, "primary": True}
        )
        self.stdout.write("Demo data is ready. Sign in at http://127.0.0.1:8000/accounts/login/")
        self.stdout.write(f"  staff admin: {DEMO_ADMIN_EMAIL} / {DEMO_PASSWORD}")
