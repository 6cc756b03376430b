"""The measured alliance decides, in both paths: the per-therapist scorer (cards) and the
ranked list's columns order every pair below the same way, with the same totals.

The pairs are the cases that showed the old figures did not mean what the cards said:
- a strong measured record against an unmeasured self-description;
- a record measured at the average against no record at all;
- one loyal responder answering often against the same people answering once;
- identical answers from dispatchers and from firefighters;
- a low "the way we work fits me" against a stated match, and a high one.
Measures come from check-ins through alliance.batches and alliance.aggregation, as the
database's totals do.
"""

from __future__ import annotations

import dataclasses

import pytest

from alliance.aggregation import ITEMS, Population, measure_totals, population_values
from alliance.batches import AnsweredCheckin, totals_of
from matching.ranking.page import _as_checkins
from matching.ranking.reference import build_index, rank_index
from matching.scoring import Candidate, Seeker, score, weights
from matching.scoring.reference import rank
from profiles import vocabulary
from tests.matching.strategies import RULES

DISPATCHER = Seeker(state="CO", service="dispatch", format_preference="telehealth")
POPULATION = Population(
    checkins=5000,
    means=dict.fromkeys(ITEMS, 8.0),
    weak_shares=dict.fromkeys(ITEMS, 0.1),
    strengths=dict.fromkeys(ITEMS, 9.0),
    therapists=300,
)
BASELINE = population_values(POPULATION)


def checkins(groups: list[tuple[int, int, str]], *, fit: int | None = None):
    """(responders, rating, service) groups: each responder answers once, every trait alike."""
    out = []
    for g, (people, rating, service) in enumerate(groups):
        for r in range(people):
            ratings = dict.fromkeys(ITEMS, rating)
            if fit is not None:
                ratings["fit"] = fit
            out.append(AnsweredCheckin(1, service, f"{g}:{r}", float(len(out)), ratings))
    return out


def measured(answers: list[AnsweredCheckin]) -> dict:
    """What a Candidate carries of these check-ins: overall and per service, as cards read."""
    rows = [totals_of(1, "", answers)]
    for service in sorted({c.service for c in answers if c.service}):
        rows.append(totals_of(1, service, [c for c in answers if c.service == service]))
    measures = measure_totals(rows, population=POPULATION, min_checkins=5, min_responders=5)
    overall = measures.overall[1]
    return {
        "checkins": _as_checkins(overall),
        "checkins_by_service": {
            s: _as_checkins(m) for s, m in measures.by_service.get(1, {}).items()
        },
        "checkin_style": overall.fit.value if overall.fit is not None else None,
    }


def therapist(therapist_id: int, **overrides) -> Candidate:
    base = Candidate(
        therapist_id=therapist_id,
        licensed_until_ordinal=RULES.today_ordinal + 100,
        confirmed_epoch=RULES.now_epoch,
        offers_telehealth_here=True,
        practices=frozenset({"goals_together", "asks_feedback"}),
        alliance_baseline=BASELINE,
    )
    return dataclasses.replace(base, **overrides)


def totals(seeker: Seeker, pool: list[Candidate]) -> dict[int, float]:
    """Each therapist's total, after checking both paths agree on it and on the order."""
    reference = rank(seeker, pool, RULES)
    ids, fast = rank_index(build_index(pool), seeker, RULES)
    by_reference = {s.therapist_id: s.total for s in reference}
    by_columns = dict(zip(ids.tolist(), fast.tolist(), strict=True))
    assert by_reference == pytest.approx(by_columns, abs=1e-9)
    return by_reference


def test_a_strong_measured_record_beats_an_unmeasured_self_description() -> None:
    described = therapist(1, practices=frozenset(vocabulary.PRACTICE_TRAIT))
    # 23 responders rating 9.4 on average (most 9 or 10).
    strong = therapist(2, **measured(checkins([(9, 9, "fire"), (14, 10, "fire")])))
    result = totals(DISPATCHER, [described, strong])
    assert result[2] > result[1]


def test_a_record_measured_at_the_average_costs_nothing() -> None:
    unmeasured = therapist(1)
    record = measured(checkins([(20, 8, "fire")]))
    # Exactly at the population's figures (its value in every trait and in the fit):
    # exactly the same total as no record at all.
    at_average = therapist(
        2,
        checkins=dataclasses.replace(
            record["checkins"], values={t: BASELINE[t] for t in vocabulary.TRAITS}
        ),
        checkin_style=BASELINE["fit"],
    )
    result = totals(DISPATCHER, [unmeasured, at_average])
    assert result[2] == pytest.approx(result[1], abs=1e-12)
    # Twenty responders at the population's mean and none weak: a little above it.
    result = totals(DISPATCHER, [unmeasured, therapist(3, **record)])
    assert result[3] > result[1]


def test_a_weak_record_costs() -> None:
    weak = therapist(2, **measured(checkins([(6, 3, "fire"), (4, 6, "fire")])))
    result = totals(DISPATCHER, [therapist(1), weak])
    assert result[2] < result[1]


def test_one_loyal_responder_does_not_outweigh_four() -> None:
    # One responder answering ten times at 3 and four others once at 9, against the same
    # five people answering once each: the same figure, the same total.
    once = checkins([(1, 3, "fire"), (4, 9, "fire")])
    loyal = once[:1] * 10 + once[1:]
    loyal = [dataclasses.replace(c, answered_epoch=float(i)) for i, c in enumerate(loyal)]
    result = totals(DISPATCHER, [therapist(1, **measured(loyal)), therapist(2, **measured(once))])
    assert result[1] == pytest.approx(result[2], abs=1e-12)


def test_identical_answers_from_two_services_give_the_same_score() -> None:
    # Every item 7 from six dispatchers for one therapist, from six firefighters for the
    # other: a dispatcher sees the two equal.
    dispatchers = therapist(1, **measured(checkins([(6, 7, "dispatch")])))
    firefighters = therapist(2, **measured(checkins([(6, 7, "fire")])))
    assert "dispatch" in dispatchers.checkins_by_service
    result = totals(DISPATCHER, [dispatchers, firefighters])
    assert result[1] == pytest.approx(result[2], abs=1e-12)


STYLE = dict.fromkeys(vocabulary.STYLE_DIMENSIONS, (3, 3))
WANTS_STEADY = dataclasses.replace(DISPATCHER, style={"pace": 3})


def test_a_low_measured_fit_cancels_a_stated_match_and_the_card_says_so() -> None:
    stated = therapist(1, style_ranges=STYLE)
    # Eight responders rate "the way we work fits me" 3 of 10; the traits at 8.
    doubted = therapist(2, style_ranges=STYLE, **measured(checkins([(8, 8, "fire")], fit=3)))
    neutral = therapist(3)  # describes no style at all
    result = totals(WANTS_STEADY, [stated, doubted, neutral])
    assert result[2] < result[1]
    style = score(WANTS_STEADY, doubted, RULES).components[1]
    texts = [r.text for r in style.reasons]
    assert not any(t.startswith("Works the way you asked") for t in texts)
    assert any("responders rate how the work fits them lower" in t for t in texts)
    # The stated match is cancelled: its style factor falls to about neutral, or below.
    from matching.scoring.alliance import style_fit

    assert style_fit(WANTS_STEADY, doubted) <= weights.NEUTRAL + 0.05


def test_a_high_measured_fit_strengthens_a_stated_partial_match() -> None:
    partial = dict.fromkeys(vocabulary.STYLE_DIMENSIONS, (1, 1))  # 2 points off: fit 1/3
    stated = therapist(1, style_ranges=partial, **measured(checkins([(8, 8, "fire")], fit=8)))
    praised = therapist(2, style_ranges=partial, **measured(checkins([(8, 8, "fire")], fit=10)))
    result = totals(WANTS_STEADY, [stated, praised])
    assert result[2] > result[1]
    texts = [r.text for r in score(WANTS_STEADY, praised, RULES).components[1].reasons]
    assert any("fits them better than for most" in t for t in texts)
