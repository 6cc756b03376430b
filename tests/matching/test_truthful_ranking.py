"""A ranking that tells the truth: every answer counts, every line is true, every misfit said.

Each rule is checked in both the reference scorer (reference.rank) and the fast path
(ranking.rank_index), which must agree.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.ranking.reference import build_index, rank_index
from matching.scoring import Candidate, Checkins, Seeker, cards, factors, score, words
from matching.scoring.reference import rank
from profiles import vocabulary
from tests.matching.strategies import RULES, candidates

FIREFIGHTER = Seeker(
    state="CO",
    service="fire",
    format_preference="telehealth",
    concerns=frozenset({"trauma"}),
    hours=frozenset({"evenings"}),
)


def candidate(therapist_id: int = 1, **overrides) -> Candidate:
    base = Candidate(
        therapist_id=therapist_id,
        licensed_until_ordinal=RULES.today_ordinal + 100,
        confirmed_epoch=RULES.now_epoch,
        offers_telehealth_here=True,
        hours=frozenset({"evenings"}),
    )
    return dataclasses.replace(base, **overrides)


def both_orders(seeker: Seeker, pool: list[Candidate]) -> list[int]:
    """The order of ids, after checking that both paths give it."""
    reference = [s.therapist_id for s in rank(seeker, pool, RULES)]
    fast, _ = rank_index(build_index(pool), seeker, RULES)
    assert fast.tolist() == reference
    return reference


# 1. Responsiveness from every request, expired ones included, with a prior.
def test_therapists_who_let_requests_expire_sink_below_new_and_slow_ones() -> None:
    pool = [
        candidate(1, intros_received=20, intros_answered=1, median_answer_hours=2.0),
        candidate(2, intros_received=10, intros_answered=0),
        candidate(3, intros_received=20, intros_answered=6, median_answer_hours=48.0),
        candidate(4),  # new: no requests yet
        candidate(5, intros_received=20, intros_answered=17, median_answer_hours=12.0),
    ]
    order = both_orders(FIREFIGHTER, pool)
    assert order[:3] == [5, 4, 3]
    assert set(order[3:]) == {1, 2}


@settings(max_examples=100, deadline=None)
@given(
    received=st.integers(1, 40),
    answered=st.integers(0, 40),
    hours=st.floats(0, 200),
)
def test_one_more_expired_request_never_raises_a_therapist(
    received: int, answered: int, hours: float
) -> None:
    answered = min(answered, received)
    before = candidate(
        intros_received=received,
        intros_answered=answered,
        median_answer_hours=hours if answered else None,
    )
    after = dataclasses.replace(before, intros_received=received + 1)
    assert score(FIREFIGHTER, after, RULES).total <= score(FIREFIGHTER, before, RULES).total


def test_a_new_therapist_sits_between_good_and_poor_answerers() -> None:
    new = factors.answer_rate(0, 0)
    good = factors.answer_rate(20, 18)
    poor = factors.answer_rate(20, 2)
    assert poor < new < good


def test_answer_lines_state_the_facts() -> None:
    say = words.answer_history_words
    assert say(20, 1, 2.0) == (
        "Answered 1 of their last 20 intro requests, usually within a few hours"
    )
    assert say(10, 0, None) == "Has not answered any of their last 10 intro requests"
    assert say(20, 6, 60.0) == (
        "Answered 6 of their last 20 intro requests, usually within three days"
    )
    assert say(0, 0, None) == "New to Rapport: no intro requests yet"


# 3. Trainings by how specific they are (pending ones never reach a candidate: see
# tests/matching/test_candidates.py).
def test_a_verified_responder_certification_beats_a_verified_course() -> None:
    pool = [
        candidate(
            1,
            verified_trainings=frozenset({"cultural_course"}),
        ),
        candidate(2, verified_trainings=frozenset({"certification"})),
        candidate(3, verified_trainings=frozenset({"other"})),
    ]
    assert both_orders(FIREFIGHTER, pool) == [2, 1, 3]


# 4. The responder's own service weighs as a real fit.
def test_experience_with_your_own_service_beats_other_services_at_similar_depth() -> None:
    fire_ems = candidate(1, services=frozenset({"fire", "ems"}), years_serving=14)
    dispatch = candidate(2, services=frozenset({"dispatch"}), years_serving=10)
    dispatcher = dataclasses.replace(FIREFIGHTER, service="dispatch")
    assert both_orders(dispatcher, [fire_ems, dispatch]) == [2, 1]
    assert both_orders(FIREFIGHTER, [fire_ems, dispatch]) == [1, 2]
    gap = score(dispatcher, dispatch, RULES).total - score(dispatcher, fire_ems, RULES).total
    assert gap >= 5  # clearly, not by a hair


# 5. Active or retired changes something a responder can see.
def test_a_retired_responder_gets_therapists_who_work_with_retirees_first() -> None:
    pool = [candidate(1), candidate(2, works_with_retired=True)]
    retired = dataclasses.replace(FIREFIGHTER, service_status="retired")
    assert both_orders(retired, pool) == [2, 1]
    reasons = [r.text for c in score(retired, pool[1], RULES).components for r in c.reasons]
    assert "Works with retired responders and the move to retirement" in reasons
    active = dataclasses.replace(FIREFIGHTER, service_status="active")
    assert score(active, pool[0], RULES).total == score(active, pool[1], RULES).total


# 6. Hours as a must; agency contract work is no plus for an evaluator-wary responder.
def test_hours_can_be_a_must() -> None:
    daytime = candidate(1, hours=frozenset({"weekday_daytime"}), reschedules_around_shifts=True)
    evenings = candidate(2)
    must = dataclasses.replace(FIREFIGHTER, hours_required=True)
    assert both_orders(must, [daytime, evenings]) == [2]
    assert 1 in both_orders(FIREFIGHTER, [daytime, evenings])
    assert cards.mismatches(FIREFIGHTER, daytime) == (
        "Does not offer evening sessions (but reschedules around shifts)",
    )


def test_agency_contracts_earn_nothing_for_a_responder_who_avoids_evaluators() -> None:
    contracted = candidate(1, agency_work=frozenset({"contracted"}))
    plain = candidate(2)
    wary = dataclasses.replace(FIREFIGHTER, avoid_fitness_evaluators=True)
    assert score(wary, contracted, RULES).total == score(wary, plain, RULES).total
    assert score(FIREFIGHTER, contracted, RULES).total > score(FIREFIGHTER, plain, RULES).total
    _, totals = rank_index(build_index([contracted, plain]), wary, RULES)
    assert totals[0] == totals[1]


def test_each_kind_of_evaluation_is_its_own_must() -> None:
    fitness = candidate(1, agency_evaluations=frozenset({"fitness_for_duty"}))
    screening = candidate(2, agency_evaluations=frozenset({"pre_employment"}))
    plain = candidate(3)
    pool = [fitness, screening, plain]
    no_fitness = dataclasses.replace(FIREFIGHTER, avoid_fitness_evaluators=True)
    no_screening = dataclasses.replace(FIREFIGHTER, avoid_preemployment_evaluators=True)
    assert sorted(both_orders(no_fitness, pool)) == [2, 3]
    assert sorted(both_orders(no_screening, pool)) == [1, 3]


# 7. Every misfit said, one line each.
def test_the_card_says_what_does_not_fit_how_the_responder_pays() -> None:
    seeker = dataclasses.replace(
        FIREFIGHTER, payment_methods=frozenset({"eap", "insurance"}), insurance_carrier="blue_cross"
    )
    neither = candidate(
        1,
        payment_methods=frozenset({"insurance", "self_pay"}),
        insurance_carriers=frozenset({"aetna"}),
        fee_min_dollars=120,
        fee_max_dollars=180,
    )
    lines = cards.card_lines(seeker, neither, RULES)
    assert lines.mismatches == ("Does not take agency EAP or Blue Cross Blue Shield insurance",)
    assert lines.cost == "$120 to $180 a session"
    assert lines.where == "Telehealth only"
    takes_eap = dataclasses.replace(neither, payment_methods=frozenset({"eap"}))
    assert cards.card_lines(seeker, takes_eap, RULES).mismatches == ()


def test_the_card_says_where_the_office_is_and_how_far() -> None:
    seeker = dataclasses.replace(
        FIREFIGHTER, format_preference="either", latitude=39.7508, longitude=-104.9966
    )
    office = candidate(
        1,
        offers_in_person=True,
        offers_telehealth_here=False,
        office_city="Lakewood",
        office_latitude=39.7047,
        office_longitude=-105.0814,
        languages=frozenset({"en"}),
        gender="man",
    )
    lines = cards.card_lines(seeker, office, RULES)
    assert lines.where == "Office in Lakewood, 6 miles away · in person only"
    assert lines.cost == "Fee not listed"
    picky = dataclasses.replace(
        seeker, languages=frozenset({"es"}), therapist_gender="woman", hours=frozenset()
    )
    assert cards.card_lines(picky, office, RULES).mismatches == (
        "Does not speak Spanish",
        "Not the therapist gender you asked for",
    )


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(seeker_languages=st.frozensets(st.sampled_from(["en", "es", "vi"])), data=st.data())
def test_a_language_misfit_is_said_exactly_when_no_language_is_shared(
    seeker_languages: frozenset[str], data: st.DataObject
) -> None:
    c = data.draw(candidates(therapist_id=1))
    seeker = dataclasses.replace(FIREFIGHTER, languages=seeker_languages)
    said = any(line.startswith("Does not speak") for line in cards.mismatches(seeker, c))
    assert said == bool(seeker_languages and not (seeker_languages & c.languages))


# 8. Calibrated scores, with a word.
def test_a_therapist_who_fits_every_answer_scores_near_the_top() -> None:
    seeker = dataclasses.replace(
        FIREFIGHTER,
        payment_methods=frozenset({"eap"}),
        languages=frozenset({"en"}),
    )
    fits = candidate(
        1,
        years_serving=12,
        caseload_percent=50,
        services=frozenset({"fire"}),
        verified_trainings=frozenset({"certification"}),
        agency_work=frozenset({"peer_support_advisor"}),
        lived_experience=frozenset({"family"}),
        practices=frozenset(vocabulary.PRACTICE_TRAIT),
        focus_concerns=frozenset({"trauma", "sleep"}),
        methods_trained=frozenset({"emdr", "cbt"}),
        methods_certified=frozenset({"emdr"}),
        languages=frozenset({"en"}),
        payment_methods=frozenset({"eap"}),
        intros_received=10,
        intros_answered=9,
        median_answer_hours=10.0,
    )
    # Unmeasured, the alliance is the population's (what responders can expect of anyone),
    # so a fit in everything else is a good fit, not yet a strong one.
    result = score(seeker, fits, RULES)
    assert result.total >= 80
    assert result.fit_words == "Good fit"
    # With responders saying the alliance is excellent, near the top.
    top = dataclasses.replace(
        fits,
        checkins=Checkins(
            values=dict.fromkeys(vocabulary.TRAITS, 0.95),
            ratings=dict.fromkeys(vocabulary.TRAITS, 9.7),
            count=30,
            fit=0.95,
        ),
        checkin_style=0.95,
    )
    assert score(seeker, top, RULES).total >= 95
    assert score(seeker, top, RULES).fit_words == "Strong fit"
    assert score(seeker, candidate(2), RULES).fit_words != "Strong fit"
