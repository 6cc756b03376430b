"""What a measured alliance figure means, held from the totals up (alliance/aggregation.py).

The invariants a person assumes of every figure:
- each responder counts once, however often they answer;
- the population is a mean over therapists, however busy each is;
- a figure lies between the therapist's raw mean and the population's;
- raising any one answer never lowers the figure;
- the same answers give the same figure from any service;
- how strongly figures are pulled toward the population comes from how much therapists
  really differ.
Hand-computed cases first, then properties over random histories.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance import aggregation
from alliance.aggregation import (
    ITEMS,
    PRIOR_MIN_THERAPISTS,
    PRIOR_STRENGTH_BOUNDS,
    PRIOR_STRENGTH_DEFAULT,
    TRAITS,
    CheckinTotals,
    Population,
    measure_totals,
    population_of,
)
from alliance.batches import AnsweredCheckin, totals_of

TRAIT = "empathy"


def answers(therapist_id: int, responder: str, rating: int, *, times: int = 1, service: str = ""):
    """`times` check-ins of one responder, every item at `rating`."""
    return [
        AnsweredCheckin(
            therapist_id=therapist_id,
            service=service,
            responder_key=f"{therapist_id}:{responder}",
            answered_epoch=float(i),
            ratings=dict.fromkeys(ITEMS, rating),
        )
        for i in range(times)
    ]


def population_at(mean: float, *, k: float = 4.0, weak: float = 0.1) -> Population:
    items = dict.fromkeys(ITEMS, mean)
    return Population(
        checkins=100,
        means=items,
        weak_shares=dict.fromkeys(ITEMS, weak),
        strengths=dict.fromkeys(ITEMS, k),
        therapists=50,
    )


def figure(checkins, population: Population, *, service: str = "") -> float:
    """The shrunk empathy rating of one therapist's check-ins (overall, or one service's)."""
    overall = totals_of(1, "", checkins)
    rows = [overall]
    if service:
        rows.append(totals_of(1, service, [c for c in checkins if c.service == service]))
    measures = measure_totals(rows, population=population, min_checkins=1, min_responders=1)
    measure = measures.by_service[1][service] if service else measures.overall[1]
    return measure.traits[TRAIT].rating


def test_one_loyal_responder_counts_once_against_four_others() -> None:
    # The case: one responder answers ten times at 3, four others once at 9.
    loyal = answers(1, "loyal", 3, times=10)
    others = [c for r in "abcd" for c in answers(1, r, 9)]
    totals = totals_of(1, "", loyal + others)
    assert totals.responders == 5 and totals.checkins == 14
    assert totals.sums[TRAIT] == pytest.approx(3 + 4 * 9)
    # Each responder once: (3 + 36) / 5 = 7.8 raw, shrunk toward 8 with k = 4:
    # (39 + 4 * 8) / (5 + 4) = 71 / 9.
    assert figure(loyal + others, population_at(8.0)) == pytest.approx(71 / 9)
    # The same five people, each answering once, give the same figure.
    once = answers(1, "loyal", 3) + others
    assert figure(once, population_at(8.0)) == pytest.approx(71 / 9)


def test_the_weak_share_counts_each_responder_once_too() -> None:
    # Two of one responder's three answers weak (2/3), four others never weak.
    mixed = answers(1, "m", 3, times=2) + answers(1, "m", 9)
    others = [c for r in "abcd" for c in answers(1, r, 9)]
    totals = totals_of(1, "", mixed + others)
    assert totals.weak[TRAIT] == pytest.approx(2 / 3)
    measure = measure_totals(
        [totals], population=population_at(8.0, weak=0.1), min_checkins=1, min_responders=1
    ).overall[1]
    assert measure.traits[TRAIT].weak_share == pytest.approx((2 / 3 + 4 * 0.1) / (5 + 4))


def test_the_population_is_a_mean_over_therapists_not_over_check_ins() -> None:
    busy = [c for r in range(50) for c in answers(1, str(r), 9, times=3)]
    quiet = [c for r in range(5) for c in answers(2, str(r), 5)]
    population = population_of([totals_of(1, "", busy), totals_of(2, "", quiet)])
    assert population.means[TRAIT] == pytest.approx(7.0)  # (9 + 5) / 2, not 8.6
    assert population.therapists == 2


def therapists_with(means_by_therapist: list[list[float]]) -> list[CheckinTotals]:
    """Overall totals of therapists whose responders' means are given (every item alike)."""
    rows = []
    for therapist_id, means in enumerate(means_by_therapist, start=1):
        rows.append(
            CheckinTotals(
                therapist_id=therapist_id,
                service="",
                checkins=len(means),
                responders=len(means),
                sums=dict.fromkeys(ITEMS, sum(means)),
                weak=dict.fromkeys(ITEMS, 0.0),
                squares=dict.fromkeys(ITEMS, sum(m * m for m in means)),
            )
        )
    return rows


def test_the_prior_strength_is_within_against_between_variance() -> None:
    # 20 therapists, 4 responders each: means 5 and 9 in turn, responders at mean -+3.
    groups = [[m - 3, m - 3, m + 3, m + 3] for m in [5.0, 9.0] * 10]
    population = population_of(therapists_with(groups))
    # Within: each therapist's 4 responders vary by 12 (sample variance of -3,-3,3,3).
    within = 12.0
    # Between: the variance of the 20 means (5 and 9 alike, mean 7) is 4 * 20/19, less what
    # within alone gives a mean of 4 responders (within / 4).
    between = 4 * 20 / 19 - within / 4
    # The therapist share, weighed against the default's 10 % as if that came from 20
    # therapists: these 20 count as much as the default.
    share = (20 * between / (between + within) + 20 * 0.10) / (20 + 20)
    assert population.strengths[TRAIT] == pytest.approx((1 - share) / share)
    assert population.strength_source == aggregation.ESTIMATED


def test_many_therapists_move_the_prior_strength_toward_their_own() -> None:
    # The same spread, from 20 therapists and from 2,000: the more there are, the nearer k
    # comes to within / between of the data alone.
    def strength(copies: int) -> float:
        groups = [[m - 3, m - 3, m + 3, m + 3] for m in [5.0, 9.0] * copies]
        return population_of(therapists_with(groups)).strengths[TRAIT]

    within = 12.0
    for copies in (10, 1000):
        between = 4 * (2 * copies) / (2 * copies - 1) - within / 4
        assert abs(strength(copies) - within / between) < abs(
            PRIOR_STRENGTH_DEFAULT - within / between
        )
    # Between tends to 4 - 12 / 4 = 1, so within / between tends to 12.
    assert abs(strength(1000) - 12.0) < abs(strength(10) - 12.0) < abs(PRIOR_STRENGTH_DEFAULT - 12)


def test_too_few_therapists_fall_back_to_the_documented_default() -> None:
    groups = [[6.0, 8.0], [7.0, 9.0]] * ((PRIOR_MIN_THERAPISTS - 1) // 2)
    population = population_of(therapists_with(groups))
    assert population.therapists < PRIOR_MIN_THERAPISTS
    assert population.strengths[TRAIT] == PRIOR_STRENGTH_DEFAULT
    assert population.strength_source == aggregation.DEFAULT


def test_therapists_who_do_not_differ_pull_harder_and_a_setting_overrides() -> None:
    # Every therapist's mean the same: nothing between them beyond chance. Their share 0,
    # weighed against the default's 10 % (as 20 therapists), gives 5 %: k = 19.
    groups = [[6.0, 8.0, 7.0]] * PRIOR_MIN_THERAPISTS
    assert population_of(therapists_with(groups)).strengths[TRAIT] == pytest.approx(19.0)
    many = [[6.0, 8.0, 7.0]] * 2000
    # Thousands of therapists who do not differ: k reaches the upper bound.
    assert population_of(therapists_with(many)).strengths[TRAIT] == PRIOR_STRENGTH_BOUNDS[1]
    overridden = population_of(therapists_with(groups), strength_override=3)
    assert overridden.strengths[TRAIT] == 3 and overridden.strength_source == aggregation.SETTING


def test_the_same_answers_give_the_same_figure_from_any_service() -> None:
    # Six dispatchers at 7 for one therapist; six firefighters at 7 for another.
    dispatchers = [c for r in range(6) for c in answers(1, str(r), 7, service="dispatch")]
    firefighters = [c for r in range(6) for c in answers(1, str(r), 7, service="fire")]
    population = population_at(8.0)
    assert figure(dispatchers, population, service="dispatch") == pytest.approx(
        figure(firefighters, population)
    )


def test_a_service_figure_counts_no_check_in_twice() -> None:
    # Five dispatchers at 9 and five firefighters at 5: a dispatcher's figure is the
    # dispatchers shrunk toward the firefighters (themselves shrunk toward the population).
    dispatchers = [c for r in range(5) for c in answers(1, f"d{r}", 9, service="dispatch")]
    firefighters = [c for r in range(5) for c in answers(1, f"f{r}", 5, service="fire")]
    k, mean = 4.0, 8.0
    others = (25 + k * mean) / (5 + k)
    expected = (45 + k * others) / (5 + k)
    got = figure(dispatchers + firefighters, population_at(mean, k=k), service="dispatch")
    assert got == pytest.approx(expected)


# Properties over random histories.

ratings = st.integers(0, 10)
responder_answers = st.lists(ratings, min_size=1, max_size=6)
histories = st.lists(responder_answers, min_size=5, max_size=12)


def checkins_of(history: list[list[int]]) -> list[AnsweredCheckin]:
    out = []
    for r, theirs in enumerate(history):
        for i, rating in enumerate(theirs):
            out.append(
                AnsweredCheckin(
                    therapist_id=1,
                    service="",
                    responder_key=r,
                    answered_epoch=float(i),
                    ratings=dict.fromkeys(ITEMS, rating),
                )
            )
    return out


@settings(max_examples=200, deadline=None)
@given(history=histories, mean=st.floats(0, 10), k=st.floats(0.5, 100))
def test_a_figure_lies_between_the_raw_mean_and_the_population(history, mean, k) -> None:
    raw = sum(sum(theirs) / len(theirs) for theirs in history) / len(history)
    got = figure(checkins_of(history), population_at(mean, k=k))
    assert min(raw, mean) - 1e-9 <= got <= max(raw, mean) + 1e-9


@settings(max_examples=200, deadline=None)
@given(history=histories, data=st.data())
def test_raising_any_one_answer_never_lowers_the_figure(history, data) -> None:
    r = data.draw(st.integers(0, len(history) - 1))
    i = data.draw(st.integers(0, len(history[r]) - 1))
    if history[r][i] == 10:
        return
    raised = [list(theirs) for theirs in history]
    raised[r][i] += 1
    population = population_at(7.5)
    assert figure(checkins_of(raised), population) >= figure(checkins_of(history), population)


@settings(max_examples=200, deadline=None)
@given(history=histories, data=st.data())
def test_one_responders_extra_answers_cannot_outweigh_another_responder(history, data) -> None:
    # However many more times responder r answers (at their own mean), the figure is the
    # same: their weight is one responder's.
    r = data.draw(st.integers(0, len(history) - 1))
    theirs = history[r]
    more = [list(h) for h in history]
    more[r] = theirs * data.draw(st.integers(2, 5))
    population = population_at(7.5)
    assert math.isclose(
        figure(checkins_of(more), population), figure(checkins_of(history), population)
    )


@settings(max_examples=100, deadline=None)
@given(
    groups=st.lists(
        st.lists(st.floats(0, 10), min_size=2, max_size=8), min_size=PRIOR_MIN_THERAPISTS
    )
)
def test_the_prior_strength_stays_within_its_bounds(groups) -> None:
    k = population_of(therapists_with(groups)).strengths[TRAITS[0]]
    assert PRIOR_STRENGTH_BOUNDS[0] <= k <= PRIOR_STRENGTH_BOUNDS[1]
