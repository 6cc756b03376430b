"""The shrinkage and the minimum-count rule, on numbers worked out by hand (no database).

Each totals row here has every responder answering once (responders = check-ins) unless
said; tests/alliance/test_estimator.py holds what changes when one answers often."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance import aggregation
from alliance.aggregation import (
    TRAITS,
    CheckinTotals,
    is_weak,
    measure_totals,
    population_of,
    shrink,
    trait_value,
)
from alliance.batches import AnsweredCheckin, closed_batches, measure_checkins
from alliance.choices import Trait


def totals(
    therapist_id: int,
    mean: float,
    checkins: int,
    *,
    responders: int | None = None,
    weak: int = 0,
    service: str = "fire",
) -> CheckinTotals:
    people = checkins if responders is None else responders
    return CheckinTotals(
        therapist_id=therapist_id,
        service=service,
        checkins=checkins,
        responders=people,
        sums=dict.fromkeys(TRAITS, mean * people),
        weak=dict.fromkeys(TRAITS, float(weak)),  # `weak` responders whose answers were weak
        squares=dict.fromkeys(TRAITS, mean * mean * people),
    )


def measure(rows: list[CheckinTotals], *, prior: float = 10, minimum: int = 5, responders=None):
    """Measures from per-service totals, with each therapist's rows over all services made
    by adding theirs up (as if no responder rated them under two services)."""
    overall = []
    for therapist_id in sorted({row.therapist_id for row in rows}):
        theirs = [row for row in rows if row.therapist_id == therapist_id]
        overall.append(
            CheckinTotals(
                therapist_id=therapist_id,
                service="",
                checkins=sum(p.checkins for p in theirs),
                responders=(responders or {}).get(therapist_id, sum(p.responders for p in theirs)),
                sums={t: sum(p.sums[t] for p in theirs) for t in TRAITS},
                weak={t: sum(p.weak[t] for p in theirs) for t in TRAITS},
                squares={t: sum(p.squares[t] for p in theirs) for t in TRAITS},
            )
        )
    return measure_totals(
        overall + rows,
        population=population_of(overall, strength_override=prior),
        min_checkins=minimum,
        min_responders=minimum,
    )


def test_the_pure_module_knows_the_same_four_traits_as_the_app() -> None:
    assert TRAITS == tuple(t.value for t in Trait)


def test_a_mean_is_pulled_toward_the_population_by_the_prior_strength() -> None:
    # Therapist 1: 6 responders at 10; therapist 2: 14 responders at 6.
    # Population mean, each therapist once: (10 + 6) / 2 = 8. Prior strength 10:
    # therapist 1: (60 + 10 * 8) / (6 + 10) = 140 / 16 = 8.75
    # therapist 2: (84 + 10 * 8) / (14 + 10) = 164 / 24
    result = measure([totals(1, 10, 6), totals(2, 6, 14)])
    assert result.population.means["empathy"] == pytest.approx(8.0)
    assert result.overall[1].traits["empathy"].rating == pytest.approx(8.75)
    assert result.overall[2].traits["empathy"].rating == pytest.approx(164 / 24)


def test_the_weak_share_is_shrunk_the_same_way() -> None:
    # Therapist 1: 2 weak of 8 (0.25); therapist 2: 0 of 12. Population: (0.25 + 0) / 2.
    # Therapist 1: (2 + 10 * 0.125) / (8 + 10) = 3.25 / 18; therapist 2: 1.25 / 22.
    result = measure([totals(1, 7, 8, weak=2), totals(2, 9, 12)])
    assert result.overall[1].traits["collaboration"].weak_share == pytest.approx(3.25 / 18)
    assert result.overall[2].traits["collaboration"].weak_share == pytest.approx(1.25 / 22)


def test_with_no_prior_the_measure_is_the_plain_mean() -> None:
    result = measure([totals(1, 9, 6), totals(2, 5, 6)], prior=0)
    assert result.overall[1].traits["adaptability"].rating == pytest.approx(9)


def test_one_enthusiastic_check_in_cannot_outrank_thirty_good_ones() -> None:
    # With a minimum of one, one perfect check-in against thirty of 9, among six therapists
    # at 8: the population, each therapist once, is (10 + 9 + 6 * 8) / 8 = 8.375.
    rows = [totals(1, 10, 1), totals(2, 9, 30), *(totals(3 + i, 8, 20) for i in range(6))]
    result = measure(rows, minimum=1)
    assert result.overall[1].traits["empathy"].rating < result.overall[2].traits["empathy"].rating


def test_below_the_minimum_count_there_is_no_measure() -> None:
    rows = [totals(1, 9, 4), totals(2, 9, 5)]
    result = measure(rows)
    assert 1 not in result.overall
    assert 2 in result.overall


def test_five_check_ins_from_fewer_than_five_responders_are_not_enough() -> None:
    rows = [totals(1, 9, 8, responders=4), totals(2, 9, 8, responders=5)]
    result = measure(rows)
    assert set(result.overall) == {2}


def test_a_service_with_enough_check_ins_is_measured_on_its_own() -> None:
    # Therapist 1: 10 firefighters at 9, 10 dispatchers at 5; the population (only them): 7.
    # A dispatcher's figure: the dispatchers, shrunk toward the firefighters, themselves
    # shrunk toward the population: (90 + 10 * 7) / 20 = 8.0, then (50 + 10 * 8) / 20 = 6.5.
    # A firefighter's: (50 + 70) / 20 = 6.0, then (90 + 10 * 6) / 20 = 7.5.
    rows = [totals(1, 9, 10, service="fire"), totals(1, 5, 10, service="dispatch")]
    result = measure(rows)
    services = result.by_service[1]
    assert services["dispatch"].traits["empathy"].rating == pytest.approx(6.5)
    assert services["fire"].traits["empathy"].rating == pytest.approx(7.5)
    assert services["fire"].service == "fire"


def test_a_service_below_the_minimum_falls_back_to_all_responders() -> None:
    rows = [totals(1, 9, 10, service="fire"), totals(1, 5, 3, service="dispatch")]
    result = measure(rows)
    assert set(result.by_service[1]) == {"fire"}
    assert 1 in result.overall


def test_the_ranking_value_uses_the_mean_and_the_share_of_weak_answers() -> None:
    # The mean above 4 (of 6 points), times the share of answers that were not weak.
    assert trait_value(10, 0.0) == pytest.approx(1.0)
    assert trait_value(8.5, 0.05) == pytest.approx(4.5 / 6 * 0.95)
    assert trait_value(7, 0.2) == pytest.approx(0.5 * 0.8)
    assert trait_value(3, 0.1) == 0.0


def test_two_therapists_with_the_same_mean_differ_by_their_weak_answers() -> None:
    # Both average 8: one always 8, the other mostly 10 with some 2s.
    steady = totals(1, 8, 20)
    uneven = totals(2, 8, 20, weak=5)
    result = measure([steady, uneven])
    assert result.overall[1].traits["empathy"].rating == pytest.approx(
        result.overall[2].traits["empathy"].rating
    )
    assert result.overall[1].mean_value > result.overall[2].mean_value


def test_a_check_in_with_one_low_item_is_weak() -> None:
    answers = {"respect_trust": 9, "collaboration": 8, "empathy": 4, "adaptability": 9, "fit": 9}
    assert is_weak(answers)
    assert not is_weak({**answers, "empathy": 5})


def test_a_drop_of_three_since_the_last_check_in_is_weak() -> None:
    before = dict.fromkeys(aggregation.ITEMS, 9)
    assert is_weak({**before, "fit": 6}, before)
    assert not is_weak({**before, "fit": 7}, before)


@settings(max_examples=100, deadline=None)
@given(
    mean=st.floats(0, 10),
    count=st.integers(0, 500),
    prior_mean=st.floats(0, 10),
    strength=st.floats(0.1, 50),
)
def test_a_shrunk_mean_lies_between_the_mean_and_the_population(
    mean: float, count: int, prior_mean: float, strength: float
) -> None:
    shrunk = shrink(mean * count, count, prior_mean, strength)
    low, high = min(mean, prior_mean), max(mean, prior_mean)
    assert low - 1e-9 <= shrunk <= high + 1e-9


@settings(max_examples=100, deadline=None)
@given(mean=st.floats(5, 10), fewer=st.integers(1, 50), extra=st.integers(1, 50))
def test_more_check_ins_at_the_same_mean_move_further_from_the_population(
    mean: float, fewer: int, extra: int
) -> None:
    population = 5.0
    few = shrink(mean * fewer, fewer, population, 10)
    many = shrink(mean * (fewer + extra), fewer + extra, population, 10)
    assert abs(many - population) >= abs(few - population) - 1e-9


@settings(max_examples=100, deadline=None)
@given(rating=st.floats(0, 10), weak=st.floats(0, 1))
def test_the_ranking_value_stays_within_0_and_1(rating: float, weak: float) -> None:
    assert 0 <= trait_value(rating, weak) <= 1


def answered(therapist_id: int, responder: int, rating: int, at: float, service: str = "fire"):
    return AnsweredCheckin(
        therapist_id=therapist_id,
        service=service,
        responder_key=responder,
        answered_epoch=at,
        ratings=dict.fromkeys(TRAITS, rating),
    )


def released(checkins: list[AnsweredCheckin]):
    return measure_checkins(checkins, min_checkins=5, min_responders=5, strength_override=10)


def test_a_batch_closes_with_the_fifth_different_responder() -> None:
    # Responder 1 answers three times: seven check-ins, five responders, one batch.
    keys = [1, 1, 2, 1, 3, 4, 5, 6, 7]
    checkins = [answered(1, key, 8, at) for at, key in enumerate(keys)]
    batches = closed_batches(checkins, 5)
    assert [len(b) for b in batches] == [7]
    assert [c.responder_key for c in batches[0]] == keys[:7]


def test_the_open_batch_changes_no_figure() -> None:
    first = [answered(1, key, 8, at) for at, key in enumerate(range(5))]
    others = [answered(2, 100 + key, 6, at) for at, key in enumerate(range(10))]
    before = released(first + others).overall[1]
    later = first + others
    for n in range(4):
        later = [*later, answered(1, 50 + n, 0, 100 + n)]
        assert released(later).overall[1] == before
    closed = released([*later, answered(1, 60, 0, 200)]).overall[1]
    assert closed.checkins == 10
    assert closed.traits["empathy"].rating < before.traits["empathy"].rating


def test_below_the_first_closed_batch_there_is_no_measure() -> None:
    checkins = [answered(1, key, 9, at) for at, key in enumerate(range(4))]
    assert released(checkins).overall == {}


def test_a_services_check_ins_are_batched_on_their_own() -> None:
    # Five firefighters and one dispatcher: the dispatcher alone is never measured apart.
    fire = [answered(1, key, 8, at) for at, key in enumerate(range(5))]
    dispatch = [answered(1, 9, 2, 10, service="dispatch")]
    result = released(fire + dispatch)
    assert set(result.by_service[1]) == {"fire"}
    assert result.overall[1].checkins == 5  # the dispatcher waits in the open batch


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.integers(1, 8), max_size=60), extra=st.integers(1, 8))
def test_closed_batches_never_change_when_a_check_in_is_added(keys: list[int], extra: int) -> None:
    checkins = [answered(1, key, 7, at) for at, key in enumerate(keys)]
    before = closed_batches(checkins, 5)
    after = closed_batches([*checkins, answered(1, extra, 7, len(keys))], 5)
    assert after[: len(before)] == before
    assert all(len({c.responder_key for c in batch}) == 5 for batch in after)
