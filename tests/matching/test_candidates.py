"""Columns read straight from the database rank as the reference scorer ranks the same rows."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from django.utils import timezone

from alliance.aggregation import population_values
from alliance.choices import Practice
from alliance.selectors import alliance_population
from matching.models import TherapistResponsiveness
from matching.ranking.feed import load_state
from matching.ranking.load import candidate_rows
from matching.ranking.page import row_to_candidate
from matching.ranking.reference import rank_index
from matching.scoring import Seeker
from matching.scoring.reference import rank
from matching.selectors.ranking import current_rules
from profiles import choices
from profiles.models import VettingStatus
from tests.factories import (
    AllianceApproachFactory,
    LicenseFactory,
    TherapistFactory,
    TrainingFactory,
)

# Also run on the embedded SQLite default (make test's second pass): the candidate query must
# read the same on both databases.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

SEEKERS = [
    Seeker(state="CO"),
    Seeker(
        state="CO",
        service="dispatch",
        latitude=39.75,
        longitude=-104.99,
        travel_miles=40,
        concerns=frozenset({"trauma", "sleep", "grief"}),
        methods_wanted=frozenset({"emdr", "cpt"}),
        methods_avoided=frozenset({"group"}),
        hours=frozenset({"evenings", "weekends"}),
        languages=frozenset({"es"}),
        payment_methods=frozenset({"insurance", "self_pay"}),
        insurance_carrier="aetna",
        self_pay_budget_dollars=120,
        therapist_gender="woman",
        importance={"empathy": 3, "responder_culture": 3},
    ),
    Seeker(
        state="CO",
        service="police",
        format_preference="in_person",
        latitude=39.75,
        longitude=-104.99,
        travel_miles=100,
    ),
]


def some(rng: random.Random, enum: type[choices.models.TextChoices]) -> frozenset[str]:
    return frozenset(rng.sample(list(enum.values), rng.randint(0, min(4, len(enum)))))


def varied_therapists(count: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    for _ in range(count):
        trained = some(rng, choices.Method)
        formats = some(rng, choices.Format) or frozenset({"telehealth"})
        therapist = TherapistFactory(
            years_serving_responders=rng.choice([None, 0, 3, 12, 40]),
            responder_caseload_percent=rng.choice([None, 10, 70]),
            services_served=some(rng, choices.Service),
            agency_work=some(rng, choices.AgencyWork),
            ride_along_hours=rng.choice([0, 10, 80]),
            lived_experience=some(rng, choices.LivedExperience),
            agency_evaluations=some(rng, choices.AgencyEvaluation),
            focus_concerns=some(rng, choices.Concern),
            methods_trained=trained,
            methods_certified=frozenset(v for v in trained if rng.random() < 0.5),
            formats=formats,
            office_latitude=39.7 + rng.random() / 2 if "in_person" in formats else None,
            office_longitude=-105.0 + rng.random() / 2 if "in_person" in formats else None,
            telehealth_states=rng.choice([frozenset({"CO"}), frozenset({"NM"})]),
            languages=some(rng, choices.Language),
            gender=rng.choice(["", "woman", "man", "nonbinary", "undisclosed"]),
            hours=some(rng, choices.Hours),
            reschedules_around_shifts=rng.random() < 0.5,
            payment_methods=some(rng, choices.Payment),
            insurance_carriers=some(rng, choices.InsuranceCarrier),
            fee_min_dollars=rng.choice([None, 80, 150]),
            fee_max_dollars=200,
            sliding_scale=rng.random() < 0.5,
        )
        LicenseFactory(therapist=therapist, state="CO")
        for _ in range(rng.randint(0, 3)):
            TrainingFactory(
                therapist=therapist,
                kind=rng.choice(list(choices.TrainingKind.values)),
                status=rng.choice(list(VettingStatus.values)),
            )
        if rng.random() < 0.8:
            AllianceApproachFactory(
                therapist=therapist,
                empathy=rng.choice(["", "I listen."]),
                adaptability=rng.choice(["", "We change what does not work."]),
                practices=some(rng, Practice),
            )
        if rng.random() < 0.5:
            decided = rng.randint(0, 12)
            TherapistResponsiveness.objects.create(
                therapist=therapist,
                decided=decided,
                answered=rng.randint(0, decided),
                median_answer_hours=rng.choice([None, 3.0, 30.0, 100.0]),
            )


@pytest.mark.parametrize("seeker", SEEKERS, ids=["default", "particular", "in-person"])
def test_loaded_columns_rank_as_the_reference_scorer_ranks_the_same_rows(seeker: Seeker) -> None:
    varied_therapists(40)
    now = timezone.now()
    rules = current_rules(now)
    rows = candidate_rows(states=["CO"], now=now, with_cards=True)
    baseline = population_values(alliance_population())
    expected = rank(seeker, [row_to_candidate(row, None, baseline) for row in rows], rules)
    ids, totals = rank_index(load_state("CO", now=now), seeker, rules)
    assert len(rows) == 40
    assert ids.tolist() == [s.therapist_id for s in expected]
    np.testing.assert_allclose(totals, [s.total for s in expected], atol=1e-9)


def test_telehealth_counts_beside_the_states_at_the_end_of_the_list() -> None:
    # With the last state's bit set, the first state's bit is more than a float holds.
    first, last = choices.State.values[0], choices.State.values[-1]
    therapist = TherapistFactory(telehealth_states={first, last})
    LicenseFactory(therapist=therapist, state=first)
    seeker = Seeker(state=first, format_preference="telehealth")
    ids, _ = rank_index(load_state(first), seeker, current_rules())
    assert ids.tolist() == [therapist.pk]


@pytest.mark.parametrize("days_ago", [0, 1, 400])
def test_the_loaders_listing_rule_is_the_selectors_rule_compiled(days_ago: int) -> None:
    """The loader compiles profiles.selectors.therapists_taking_clients once and moves its
    date and cut-off with the clock: it must equal the ORM's own query at any moment."""
    from matching.ranking.load import _listed_sql
    from profiles.selectors import therapists_taking_clients

    now = timezone.now() - dt.timedelta(days=days_ago, hours=days_ago)
    sql, params = therapists_taking_clients(now=now).order_by().query.sql_with_params()
    assert _listed_sql(now=now) == (sql, list(params))
