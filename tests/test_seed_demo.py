from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.core.management import CommandError, call_command

from alliance.models import CheckIn
from alliance.selectors import alliance_measures, checkins_due_for
from devtools.demo import demo_therapist
from profiles.models import License, ResponderProfile, TherapistProfile, User
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


# Seeding the 300 demo therapists takes most of a minute, so one test seeds once (with
# DEBUG off, as told explicitly), checks what was made, then seeds again.
@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_with_debug_off_when_told_makes_fictional_varied_data_and_runs_twice(
    settings,
) -> None:
    settings.DEBUG = False
    first, second = StringIO(), StringIO()
    call_command("seed_demo", "--even-without-debug", stdout=first)
    assert User.objects.filter(email="admin@demo.rapport.localhost").exists()

    # Fictional, varied, mostly listed, and rated in check-ins.
    therapists = TherapistProfile.objects.all()
    assert therapists.count() == 300
    assert all(t.bio.startswith("Fictional demo profile.") for t in therapists)
    assert all(t.user.email.endswith("@demo.rapport.localhost") for t in therapists)
    states = set(License.objects.values_list("state", flat=True))
    assert len(states) >= 5
    listed = therapists_listed().count()
    assert 200 < listed < 300  # some wait for vetting or were rejected
    assert License.objects.filter(status="pending").exists()
    _check_ins_tell_therapists_apart_and_show_the_feature()

    # A second run adds nothing and prints the logins.
    counts = User.objects.count(), License.objects.count(), CheckIn.objects.count()
    call_command("seed_demo", "--even-without-debug", stdout=second)
    assert (User.objects.count(), License.objects.count(), CheckIn.objects.count()) == counts
    admin = User.objects.get(email="admin@demo.rapport.localhost")
    assert admin.is_staff and admin.role == User.Role.STAFF
    assert admin.check_password("rapport-demo-only")
    assert is_mfa_enabled(admin)
    assert "admin@demo.rapport.localhost / rapport-demo-only" in second.getvalue()
    assert "0 new, 300 in all" in second.getvalue()


def test_the_generator_is_deterministic() -> None:
    import datetime as dt

    today = dt.date(2026, 11, 27)
    assert demo_therapist(7, "CO", today=today) == demo_therapist(7, "CO", today=today)
    assert demo_therapist(7, "CO", today=today) != demo_therapist(8, "CO", today=today)


def _check_ins_tell_therapists_apart_and_show_the_feature() -> None:
    # Part of the test above, which has seeded already: seeding takes a while.
    measures = alliance_measures()
    assert len(measures.overall) > 50
    assert measures.by_service  # some have enough from one service
    values = sorted(m.mean_value for m in measures.overall.values())
    # Ratings crowd near the top, yet the values used in the ranking spread widely.
    traits = ("respect_trust", "collaboration", "empathy", "adaptability")
    assert 7.5 < sum(measures.population.means[t] for t in traits) / 4 < 9
    # Therapists differ in the demo, so the prior's strength comes from the data.
    assert measures.population.strength_source == "estimated from the data"
    assert values[-1] - values[0] > 0.4
    featured = TherapistProfile.objects.get(user__email="therapist00001@demo.rapport.localhost")
    assert featured.pk in measures.overall
    assert CheckIn.objects.filter(plan__therapist=featured, shared=True).exists()
    responder = ResponderProfile.objects.get(user__email="responder1@demo.rapport.localhost")
    assert [c.plan.therapist for c in checkins_due_for(responder=responder)] == [featured]
    assert CheckIn.objects.filter(weak=True).exists()
