from __future__ import annotations

import pytest
from django.utils import timezone

from alliance.models import AllianceApproach
from devtools.bench import (
    BENCH_EMAIL_DOMAIN,
    LARGE_STATE_LISTED_SHARE,
    other_state_quotas,
    seed_bench_therapists,
)
from profiles.models import License, ResponderTraining, TherapistProfile, User
from profiles.selectors import therapists_listed

BENCH_COUNT = 300
LARGE_STATE = "CA"
# Only the benchmark's rows are counted, whatever else the test database holds.
BENCH_EMAILS = f"@{BENCH_EMAIL_DOMAIN}"


def test_other_states_share_the_rest_exactly_and_most_go_to_the_populous() -> None:
    quotas = other_state_quotas(count=43_316, large_state=LARGE_STATE)

    assert sum(quotas.values()) == 43_316
    assert LARGE_STATE not in quotas
    assert len(quotas) >= 50
    assert quotas["TX"] > quotas["CO"] > quotas["WY"] > 0


@pytest.mark.django_db
def test_bench_seed_gives_the_large_state_its_share_of_listed_accepting_therapists() -> None:
    counts = seed_bench_therapists(
        count=BENCH_COUNT, large_state=LARGE_STATE, today=timezone.localdate()
    )

    listed_accepting = (
        therapists_listed()
        .filter(
            accepting_new_clients=True,
            licenses__state=LARGE_STATE,
            user__email__endswith=BENCH_EMAILS,
        )
        .distinct()
        .count()
    )
    assert listed_accepting == round(BENCH_COUNT * LARGE_STATE_LISTED_SHARE)
    assert counts["large_state_listed_accepting"] == listed_accepting
    # Some in the large state wait for vetting or take no one new, as in the real population.
    assert counts["large_state_therapists"] > listed_accepting
    bench = {"therapist__user__email__endswith": BENCH_EMAILS}
    therapists = TherapistProfile.objects.filter(user__email__endswith=BENCH_EMAILS)
    assert therapists.count() == counts["therapists"] == BENCH_COUNT
    assert License.objects.filter(**bench).count() == counts["licenses"]
    assert ResponderTraining.objects.filter(**bench).count() == counts["trainings"] > 0
    assert AllianceApproach.objects.filter(**bench).count() == counts["alliance_approaches"]
    other_states = set(
        License.objects.filter(**bench).exclude(state=LARGE_STATE).values_list("state", flat=True)
    )
    assert len(other_states) >= 20
    assert counts["states"] == len(other_states) + 1


@pytest.mark.django_db
def test_bench_rows_hold_valid_choice_sets_and_one_password() -> None:
    seed_bench_therapists(count=50, large_state=LARGE_STATE, today=timezone.localdate())

    therapist = TherapistProfile.objects.get(user__email=f"bench00001{BENCH_EMAILS}")
    assert "en" in therapist.languages
    assert therapist.focus_concerns and therapist.methods_trained and therapist.hours
    assert therapist.methods_certified <= therapist.methods_trained
    assert AllianceApproach.objects.get(therapist=therapist).practices
    bench_users = User.objects.filter(email__endswith=BENCH_EMAILS)
    assert bench_users.count() == 50
    assert bench_users.values("password").distinct().count() == 1
