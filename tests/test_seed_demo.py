from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from profiles.models import User


@pytest.mark.django_db
def test_seed_demo_can_run_twice_and_prints_the_logins() -> None:
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    counts = User.objects.count(), EmailAddress.objects.count()
    call_command("seed_demo", stdout=second)

    assert (User.objects.count(), EmailAddress.objects.count()) == counts
    admin = User.objects.get(email="admin@demo.rapport.localhost")
    assert admin.is_staff and admin.role == User.Role.STAFF
    assert admin.check_password("rapport-demo-only")
    assert "admin@demo.rapport.localhost / rapport-demo-only" in second.getvalue()
