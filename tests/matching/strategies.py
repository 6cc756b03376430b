"""Hypothesis strategies for responders and therapist candidates (no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from matching.scoring import Candidate, Checkins, Rules, Seeker, words
from profiles import vocabulary
from profiles.vocabulary import GENDERS

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
RULES = Rules(now_epoch=NOW.timestamp(), today_ordinal=NOW.date().toordinal())
DAY = 86_400.0


def subsets(values) -> st.SearchStrategy[frozenset[str]]:
    values = sorted(values)
    return st.frozensets(st.sampled_from(values)) if values else st.just(frozenset())


# Colorado and around, so that some offices are within reach and some are not.
latitudes = st.floats(min_value=37.0, max_value=41.0, allow_nan=False)
longitudes = st.floats(min_value=-109.0, max_value=-102.0, allow_nan=False)
importance = st.fixed_dictionaries(
    {key: st.integers(0, 3) for key in (*vocabulary.TRAITS, vocabulary.RESPONDER_CULTURE)}
)


styles = st.dictionaries(st.sampled_from(vocabulary.STYLE_DIMENSIONS), st.integers(1, 5))


@st.composite
def style_ranges(draw) -> dict[str, tuple[int, int]]:
    ranges = {}
    for dim in vocabulary.STYLE_DIMENSIONS:
        low = draw(st.integers(1, 5))
        ranges[dim] = (low, draw(st.integers(low, 5)))
    return ranges


def random_style_ranges(rng) -> dict[str, tuple[int, int]]:
    ranges = {}
    for dim in vocabulary.STYLE_DIMENSIONS:
        low = rng.randint(1, 5)
        ranges[dim] = (low, rng.randint(low, 5))
    return ranges


@st.composite
def seekers(draw) -> Seeker:
    has_zip = draw(st.booleans())
    wanted = draw(subsets(words.METHOD_WORDS))
    return Seeker(
        state="CO",
        service=draw(st.sampled_from(["", *words.SERVICE_PEOPLE])),
        latitude=draw(latitudes) if has_zip else None,
        longitude=draw(longitudes) if has_zip else None,
        travel_miles=draw(st.integers(1, 200)),
        format_preference=draw(st.sampled_from(["either", "in_person", "telehealth"])),
        concerns=draw(subsets(words.CONCERN_WORDS)),
        methods_wanted=wanted,
        methods_avoided=draw(subsets(set(words.METHOD_WORDS) - wanted)),
        therapist_gender=draw(st.sampled_from(["", "woman", "man", "nonbinary"])),
        gender_required=draw(st.booleans()),
        languages=draw(subsets(words.LANGUAGE_WORDS)),
        language_required=draw(st.booleans()),
        hours=draw(subsets(words.HOURS_WORDS)),
        payment_methods=draw(subsets(words.PAYMENT_WORDS)),
        insurance_carrier=draw(st.sampled_from(["", *words.CARRIER_WORDS])),
        self_pay_budget_dollars=draw(st.none() | st.integers(0, 400)),
        payment_required=draw(st.booleans()),
        avoid_fitness_evaluators=draw(st.booleans()),
        avoid_preemployment_evaluators=draw(st.booleans()),
        hours_required=draw(st.booleans()),
        service_status=draw(st.sampled_from(["", "active", "retired"])),
        tie_seed=draw(st.integers(0, 2**32 - 1)),
        style=draw(styles),
        importance=draw(importance),
    )


@st.composite
def checkins(draw) -> Checkins:
    values = draw(st.fixed_dictionaries({t: st.floats(0, 1) for t in vocabulary.TRAITS}))
    return Checkins(
        values=values,
        ratings={t: round(10 * v, 1) for t, v in values.items()},
        count=draw(st.integers(5, 80)),
    )


def random_checkins(rng) -> Checkins:
    values = {t: rng.random() for t in vocabulary.TRAITS}
    return Checkins(values=values, ratings={t: 10 * v for t, v in values.items()}, count=12)


@st.composite
def candidates(draw, therapist_id: int | None = None) -> Candidate:
    trained = draw(subsets(words.METHOD_WORDS))
    in_person = draw(st.booleans())
    has_history = draw(st.booleans())
    received = draw(st.integers(0, 40)) if has_history else 0
    return Candidate(
        therapist_id=therapist_id if therapist_id is not None else draw(st.integers(1, 10**6)),
        published=draw(st.sampled_from([True, True, True, False])),
        accepting=draw(st.sampled_from([True, True, True, False])),
        licensed_until_ordinal=RULES.today_ordinal + draw(st.integers(-30, 900)),
        confirmed_epoch=RULES.now_epoch - draw(st.floats(0, 60)) * DAY,
        years_serving=draw(st.integers(0, 40)),
        caseload_percent=draw(st.integers(0, 100)),
        services=draw(subsets(words.SERVICE_PEOPLE)),
        verified_trainings=draw(subsets(words.TRAINING_WORDS)),
        agency_work=draw(subsets(words.AGENCY_WORDS)),
        ride_along_hours=draw(st.integers(0, 200)),
        lived_experience=draw(subsets(words.LIVED_WORDS)),
        works_with_retired=draw(st.booleans()),
        agency_evaluations=draw(subsets(["fitness_for_duty", "pre_employment", "other"])),
        practices=draw(subsets(vocabulary.PRACTICE_TRAIT)),
        checkins=draw(st.none() | checkins()),
        checkins_by_service=draw(
            st.dictionaries(st.sampled_from(sorted(words.SERVICE_PEOPLE)), checkins(), max_size=2)
        ),
        style_ranges=draw(st.none() | style_ranges()),
        checkin_style=draw(st.none() | st.floats(0, 1)),
        focus_concerns=draw(subsets(words.CONCERN_WORDS)),
        methods_trained=trained,
        methods_certified=draw(subsets(trained)) if trained else frozenset(),
        offers_in_person=in_person,
        offers_telehealth_here=draw(st.booleans()),
        office_latitude=draw(latitudes) if in_person else None,
        office_longitude=draw(longitudes) if in_person else None,
        office_city="Example City",
        languages=draw(subsets(words.LANGUAGE_WORDS)),
        gender=draw(st.sampled_from(GENDERS)),
        hours=draw(subsets(words.HOURS_WORDS)),
        reschedules_around_shifts=draw(st.booleans()),
        payment_methods=draw(subsets(words.PAYMENT_WORDS)),
        insurance_carriers=draw(subsets(words.CARRIER_WORDS)),
        fee_min_dollars=draw(st.none() | st.integers(0, 300)),
        fee_max_dollars=draw(st.none() | st.integers(0, 400)),
        sliding_scale=draw(st.booleans()),
        intros_received=received,
        intros_answered=draw(st.integers(0, received)),
        median_answer_hours=draw(st.floats(0, 200)) if has_history and received else None,
        open_slots=draw(st.integers(0, 6)),
        pending_requests=draw(st.integers(0, 14)),
    )


def random_candidate(rng, therapist_id: int) -> Candidate:
    """A random candidate from a seeded generator: much faster than drawing one field by field."""

    def pick(values, most: int | None = None) -> frozenset[str]:
        values = sorted(values)
        return frozenset(rng.sample(values, rng.randint(0, most or len(values))))

    trained = pick(words.METHOD_WORDS, 4)
    in_person = rng.random() < 0.6
    received = rng.choice([0, 0, 3, 12])
    return Candidate(
        therapist_id=therapist_id,
        published=rng.random() < 0.9,
        accepting=rng.random() < 0.9,
        licensed_until_ordinal=RULES.today_ordinal + rng.randint(-30, 900),
        confirmed_epoch=RULES.now_epoch - rng.uniform(0, 60) * DAY,
        years_serving=rng.randint(0, 30),
        caseload_percent=rng.randint(0, 100),
        services=pick(words.SERVICE_PEOPLE, 3),
        verified_trainings=pick(words.TRAINING_WORDS, 2),
        agency_work=pick(words.AGENCY_WORDS, 1),
        ride_along_hours=rng.choice([0, 0, 10, 60]),
        lived_experience=pick(words.LIVED_WORDS, 1),
        works_with_retired=rng.random() < 0.3,
        agency_evaluations=pick(["fitness_for_duty", "pre_employment", "other"], 1)
        if rng.random() < 0.2
        else frozenset(),
        practices=pick(vocabulary.PRACTICE_TRAIT, 5),
        checkins=random_checkins(rng) if rng.random() < 0.3 else None,
        checkins_by_service=(
            {rng.choice(sorted(words.SERVICE_PEOPLE)): random_checkins(rng)}
            if rng.random() < 0.15
            else {}
        ),
        style_ranges=random_style_ranges(rng) if rng.random() < 0.8 else None,
        checkin_style=rng.random() if rng.random() < 0.2 else None,
        focus_concerns=pick(words.CONCERN_WORDS, 6),
        methods_trained=trained,
        methods_certified=frozenset(m for m in trained if rng.random() < 0.4),
        offers_in_person=in_person,
        offers_telehealth_here=rng.random() < 0.6,
        office_latitude=rng.uniform(37.0, 41.0) if in_person else None,
        office_longitude=rng.uniform(-109.0, -102.0) if in_person else None,
        office_city="Example City",
        languages=pick(words.LANGUAGE_WORDS, 2),
        gender=rng.choice(GENDERS),
        hours=pick(words.HOURS_WORDS, 4),
        reschedules_around_shifts=rng.random() < 0.5,
        payment_methods=pick(words.PAYMENT_WORDS, 3),
        insurance_carriers=pick(words.CARRIER_WORDS, 4),
        fee_min_dollars=rng.choice([None, 60, 90, 120, 200]),
        sliding_scale=rng.random() < 0.3,
        intros_received=received,
        intros_answered=rng.randint(0, received),
        median_answer_hours=rng.uniform(1, 100) if received else None,
        # Most have room; some are near their limit, at it, or have no opening left.
        open_slots=rng.choice([0, 1, 2, 3, 3, 4, 6]),
        pending_requests=rng.choice([0, 0, 0, 1, 2, 3, 5, 8]),
    )


def random_pool(seed: int, size: int) -> list[Candidate]:
    import random

    rng = random.Random(seed)
    ids = rng.sample(range(1, 10**6), size)
    return [random_candidate(rng, therapist_id) for therapist_id in ids]
