"""The scoring module: weights, reasons, and properties that must hold for any input."""

from __future__ import annotations

import ast
import dataclasses
import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.choices import PRACTICE_TRAIT, Practice, Trait
from matching import scoring
from matching.scoring import (
    Candidate,
    Seeker,
    is_eligible,
    score,
    types,
    weights,
    words,
)
from matching.scoring import alliance as scoring_alliance
from matching.scoring.eligibility import takes_requests_now
from matching.scoring.reference import rank
from profiles import choices, vocabulary
from tests.matching.strategies import RULES, candidates, random_pool, seekers

FIREFIGHTER = Seeker(
    state="CO",
    service="fire",
    format_preference="telehealth",
    concerns=frozenset({"trauma"}),
    hours=frozenset({"evenings"}),
)


def good_candidate(**overrides) -> Candidate:
    base = Candidate(
        therapist_id=1,
        licensed_until_ordinal=RULES.today_ordinal + 100,
        confirmed_epoch=RULES.now_epoch,
        offers_telehealth_here=True,
    )
    return dataclasses.replace(base, **overrides)


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return names


def test_scoring_and_the_vocabulary_import_nothing_from_django() -> None:
    package = Path(scoring.__file__).parent
    allowed = {
        "__future__",
        "collections.abc",
        "dataclasses",
        "math",
        "numpy",
        "profiles.vocabulary",
    }
    for module in [*package.glob("*.py"), Path(vocabulary.__file__)]:
        imported = _top_level_imports(module)
        own = {"matching.scoring", *(f"matching.scoring.{m.stem}" for m in package.glob("*.py"))}
        assert imported - allowed <= own, module


def test_the_base_weights_are_out_of_100_and_each_components_factors_sum_to_one() -> None:
    # The alliance is the largest single component at default importance.
    assert max(weights.COMPONENT_WEIGHTS, key=weights.COMPONENT_WEIGHTS.get) == "alliance"
    assert sum(weights.COMPONENT_WEIGHTS.values()) == 100
    assert weights.COMPONENT_WEIGHTS == {
        "competence": 25,
        "alliance": 30,
        "clinical": 20,
        "practical": 15,
        "responsiveness": 10,
    }
    for factors in (
        weights.COMPETENCE_FACTORS,
        weights.CLINICAL_FACTORS,
        weights.PRACTICAL_FACTORS,
        weights.RESPONSIVENESS_FACTORS,
    ):
        assert sum(factors.values()) == pytest.approx(1.0)


def test_what_matters_most_moves_weight_between_components() -> None:
    default = weights.component_weights({})
    assert default == pytest.approx(weights.COMPONENT_WEIGHTS)
    culture = weights.component_weights({"responder_culture": 3})
    assert culture["competence"] > default["competence"]
    assert sum(culture.values()) == pytest.approx(100)


@pytest.mark.parametrize(
    ("words", "choice_class"),
    [
        (words.SERVICE_PEOPLE, choices.Service),
        (words.CONCERN_WORDS, choices.Concern),
        (words.METHOD_WORDS, choices.Method),
        (words.HOURS_WORDS, choices.Hours),
        (words.LANGUAGE_WORDS, choices.Language),
        (words.PAYMENT_WORDS, choices.Payment),
        (words.CARRIER_WORDS, choices.InsuranceCarrier),
        (words.TRAINING_WORDS, choices.TrainingKind),
        (words.AGENCY_WORDS, choices.AgencyWork),
        (words.LIVED_WORDS, choices.LivedExperience),
        (words.PRACTICE_WORDS, Practice),
        (words.TRAIT_WORDS, Trait),
    ],
)
def test_reason_words_cover_every_choice(words: dict, choice_class) -> None:
    assert set(words) == set(choice_class.values)


def test_the_practice_traits_match_the_alliance_app() -> None:
    assert vocabulary.PRACTICE_TRAIT == {str(k): str(v) for k, v in PRACTICE_TRAIT.items()}
    assert vocabulary.TRAITS == tuple(Trait.values)


def test_a_therapist_who_knows_firefighters_ranks_first_with_reasons() -> None:
    knows = good_candidate(
        therapist_id=2,
        years_serving=12,
        services=frozenset({"fire"}),
        verified_trainings=frozenset({"certification"}),
        hours=frozenset({"evenings", "weekends"}),
        focus_concerns=frozenset({"trauma"}),
        methods_trained=frozenset({"emdr"}),
    )
    generic = good_candidate(therapist_id=1, years_serving=1, services=frozenset({"police"}))
    ranked = rank(FIREFIGHTER, [generic, knows], RULES)
    assert [s.therapist_id for s in ranked] == [2, 1]
    texts = [r.text for c in ranked[0].components for r in c.reasons]
    assert "Has worked with firefighters" in texts
    assert "12 years serving first responders" in texts
    assert "Verified first-responder counselor certification" in texts
    assert "Offers evening sessions" in texts
    assert "Offers trauma-focused therapy (EMDR)" in texts
    top = ranked[0].top_reasons
    assert len(top) == 3
    assert [r.points for r in top] == sorted((r.points for r in top), reverse=True)
    verified = [r for c in ranked[0].components for r in c.reasons if r.source == "verified"]
    assert [r.text for r in verified] == ["Verified first-responder counselor certification"]


def test_a_training_awaiting_verification_earns_nothing_until_verified() -> None:
    verified = score(
        FIREFIGHTER, good_candidate(verified_trainings=frozenset({"certification"})), RULES
    )
    nothing = score(FIREFIGHTER, good_candidate(), RULES)
    # A training awaiting review never reaches a Candidate: the loader reads verified ones
    # only (tests/matching/test_candidates.py).
    assert verified.total > nothing.total


def test_check_ins_replace_the_therapists_own_statements_when_present() -> None:
    stated = good_candidate(practices=frozenset(PRACTICE_TRAIT))
    low = dict.fromkeys(vocabulary.TRAITS, 0.1)
    rated_low = dataclasses.replace(
        stated, checkins=types.Checkins(values=low, ratings=dict.fromkeys(low, 3.0), count=9)
    )
    assert score(FIREFIGHTER, rated_low, RULES).total < score(FIREFIGHTER, stated, RULES).total


def test_exact_ties_are_ordered_by_the_responder_not_by_account_age() -> None:
    twins = [good_candidate(therapist_id=i) for i in range(1, 31)]
    orders = {
        seed: [s.therapist_id for s in rank(replace(FIREFIGHTER, tie_seed=seed), twins, RULES)]
        for seed in range(8)
    }
    # Stable for one responder: the same seed gives the same order, whatever the input order.
    again = rank(replace(FIREFIGHTER, tie_seed=3), list(reversed(twins)), RULES)
    assert [s.therapist_id for s in again] == orders[3]
    # Not the same for everyone, and not the oldest account first for everyone.
    assert len({tuple(order) for order in orders.values()}) == len(orders)
    assert sum(order[0] == 1 for order in orders.values()) < len(orders)


def test_an_unanswered_question_changes_no_ones_order() -> None:
    a = good_candidate(therapist_id=1, languages=frozenset({"es"}))
    b = good_candidate(therapist_id=2, languages=frozenset({"en"}), years_serving=3)
    no_language = rank(FIREFIGHTER, [a, b], RULES)
    assert [s.therapist_id for s in no_language] == [2, 1]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(seeker=seekers(), candidate=candidates())
def test_the_score_stays_within_0_and_100(seeker: Seeker, candidate: Candidate) -> None:
    result = score(seeker, candidate, RULES)
    assert 0 <= result.total <= 100
    assert result.total == pytest.approx(sum(c.points for c in result.components))
    for component in result.components:
        assert 0 <= component.value <= 1 + 1e-9


def _improvements(c: Candidate, seeker: Seeker) -> list[Candidate]:
    """Every single-factor change that makes a therapist better for this responder."""
    r = dataclasses.replace
    out = [
        r(c, years_serving=c.years_serving + 3),
        r(c, caseload_percent=min(100, c.caseload_percent + 10)),
        r(c, ride_along_hours=c.ride_along_hours + 10),
        r(c, reschedules_around_shifts=True),
        r(c, sliding_scale=True),
        r(c, offers_telehealth_here=True),
        r(c, confirmed_epoch=min(RULES.now_epoch, c.confirmed_epoch + 86_400 * 3)),
        r(c, intros_answered=min(c.intros_received, c.intros_answered + 1)),
    ]
    if c.fee_min_dollars is not None:
        out.append(r(c, fee_min_dollars=max(0, c.fee_min_dollars - 20)))
    if c.median_answer_hours is not None:
        out.append(r(c, median_answer_hours=c.median_answer_hours / 2))
    measured = scoring_alliance.checkins_for(c, seeker.service)
    if measured is not None:
        for trait in vocabulary.TRAITS:
            better = dataclasses.replace(
                measured,
                values={**measured.values, trait: min(1.0, measured.values[trait] + 0.2)},
            )
            if measured is c.checkins:
                out.append(r(c, checkins=better))
            else:
                out.append(
                    r(c, checkins_by_service={**c.checkins_by_service, seeker.service: better})
                )
    sets = {
        "services": words.SERVICE_PEOPLE,
        "verified_trainings": words.TRAINING_WORDS,
        "agency_work": words.AGENCY_WORDS,
        "lived_experience": words.LIVED_WORDS,
        "practices": vocabulary.PRACTICE_TRAIT,
        "focus_concerns": words.CONCERN_WORDS,
        "languages": words.LANGUAGE_WORDS,
        "hours": words.HOURS_WORDS,
        "payment_methods": words.PAYMENT_WORDS,
        "insurance_carriers": words.CARRIER_WORDS,
    }
    for name, values in sets.items():
        for value in set(values) - getattr(c, name):
            out.append(r(c, **{name: getattr(c, name) | {value}}))
    for method in set(words.METHOD_WORDS) - c.methods_trained - seeker.methods_avoided:
        out.append(r(c, methods_trained=c.methods_trained | {method}))
    for method in c.methods_trained - c.methods_certified:
        out.append(r(c, methods_certified=c.methods_certified | {method}))
    for method in c.methods_trained & seeker.methods_avoided:
        out.append(
            r(
                c,
                methods_trained=c.methods_trained - {method},
                methods_certified=c.methods_certified - {method},
            )
        )
    if c.offers_in_person and seeker.latitude is not None:
        out.append(r(c, office_latitude=seeker.latitude, office_longitude=seeker.longitude))
    return out


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(seeker=seekers(), candidate=candidates())
def test_improving_any_single_factor_never_lowers_the_score(
    seeker: Seeker, candidate: Candidate
) -> None:
    before = score(seeker, candidate, RULES).total
    for better in _improvements(candidate, seeker):
        assert score(seeker, better, RULES).total >= before - 1e-9, better


@settings(max_examples=80, deadline=None)
@given(seeker=seekers(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_the_candidates_does_not_change_the_order(seeker: Seeker, seed: int) -> None:
    pool = random_pool(seed, 40)
    shuffled = list(pool)
    random.Random(seed).shuffle(shuffled)
    first = [s.therapist_id for s in rank(seeker, pool, RULES)]
    assert [s.therapist_id for s in rank(seeker, shuffled, RULES)] == first


@settings(max_examples=80, deadline=None)
@given(seeker=seekers(), seed=st.integers(0, 2**32 - 1))
def test_an_ineligible_therapist_is_never_ranked(seeker: Seeker, seed: int) -> None:
    pool = random_pool(seed, 40)
    ranked = {s.therapist_id for s in rank(seeker, pool, RULES)}
    by_id = {c.therapist_id: c for c in pool}
    assert all(is_eligible(seeker, by_id[i], RULES) for i in ranked)
    # ...nor one holding as many requests as their openings allow.
    assert ranked == {
        c.therapist_id
        for c in pool
        if is_eligible(seeker, c, RULES)
        and takes_requests_now(
            pending_requests=c.pending_requests, open_slots=c.open_slots, rules=RULES
        )
    }
