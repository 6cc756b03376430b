from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.core.management import CommandError, call_command

from matching.demo import demo_therapist
from profiles.models import License, TherapistProfile, User
from profiles.selectors import therapists_listed


@pytest.fixture(autouse=True)
def _debug_on(settings) -> None:
    """seed_demo is for development: it runs with DEBUG on."""
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_runs_with_debug_off_only_when_told_explicitly(settings) -> None:
    settings.DEBUG = False
    call_command("seed_demo", "--even-without-debug", stdout=StringIO())
    assert User.objects.filter(email="admin@demo.rapport.localhost").exists()


@pytest.mark.django_db
def test_seed_demo_can_run_twice_and_prints_the_logins() -> None:
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    counts = User.objects.count(), License.objects.count()
    call_command("seed_demo", stdout=second)

    assert (User.objects.count(), License.objects.count()) == counts
    admin = User.objects.get(email="admin@demo.rapport.localhost")
    assert admin.is_staff and admin.role == User.Role.STAFF
    assert admin.check_password("rapport-demo-only")
    assert is_mfa_enabled(admin)
    assert "admin@demo.rapport.localhost / rapport-demo-only" in second.getvalue()
    assert "0 new, 300 in all" in second.getvalue()


@pytest.mark.django_db
def test_demo_therapists_are_fictional_varied_and_mostly_listed() -> None:
    call_command("seed_demo", stdout=StringIO())
    therapists = TherapistProfile.objects.all()
    assert therapists.count() == 300
    assert all(t.bio.startswith("Fictional demo profile.") for t in therapists)
    assert all(t.user.email.endswith("@demo.rapport.localhost") for t in therapists)
    states = set(License.objects.values_list("state", flat=True))
    assert len(states) >= 5
    listed = therapists_listed().count()
    assert 200 < listed < 300  # some wait for vetting or were rejected
    assert License.objects.filter(status="pending").exists()


def test_the_generator_is_deterministic() -> None:
    import datetime as dt

    today = dt.date(2026, 11, 27)
    assert demo_therapist(7, "CO", today=today) == demo_therapist(7, "CO", today=today)
    assert demo_therapist(7, "CO", today=today) != demo_therapist(8, "CO", today=today)
