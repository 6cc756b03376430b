"""Working-style fit: how a responder wants to work against how far a therapist adapts."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.ranking.reference import build_index, rank_index
from matching.scoring import Candidate, Seeker, cards, score, weights
from matching.scoring import alliance as scoring_alliance
from matching.scoring.reference import rank
from profiles import vocabulary
from tests.matching.strategies import RULES, candidates, seekers

SEEKER = Seeker(state="CO", service="fire", format_preference="telehealth")
FLEXIBLE = dict.fromkeys(vocabulary.STYLE_DIMENSIONS, (2, 4))


def candidate(therapist_id: int = 1, **overrides) -> Candidate:
    base = Candidate(
        therapist_id=therapist_id,
        licensed_until_ordinal=RULES.today_ordinal + 100,
        confirmed_epoch=RULES.now_epoch,
        offers_telehealth_here=True,
        style_ranges=FLEXIBLE,
    )
    return dataclasses.replace(base, **overrides)


def fast_totals(seeker: Seeker, pool: list[Candidate]) -> dict[int, float]:
    ids, totals = rank_index(build_index(pool), seeker, RULES)
    return dict(zip(ids.tolist(), totals.tolist(), strict=True))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(seeker=seekers(), pool=st.lists(candidates(), min_size=1, max_size=12))
def test_no_style_preference_changes_no_ones_place(seeker: Seeker, pool) -> None:
    pool = [dataclasses.replace(c, therapist_id=i) for i, c in enumerate(pool, start=1)]
    neutral = dataclasses.replace(seeker, style={})
    reshaped = [dataclasses.replace(c, style_ranges=None) for c in pool]
    assert [s.total for s in rank(neutral, pool, RULES)] == [
        s.total for s in rank(neutral, reshaped, RULES)
    ]


@settings(max_examples=150, deadline=None)
@given(
    wanted=st.integers(1, 5),
    low=st.integers(1, 5),
    width=st.integers(0, 4),
    dim=st.sampled_from(vocabulary.STYLE_DIMENSIONS),
)
def test_the_fit_falls_with_the_distance_outside_the_range(
    wanted: int, low: int, width: int, dim: str
) -> None:
    high = min(5, low + width)
    seeker = dataclasses.replace(SEEKER, style={dim: wanted})
    ranges = {**FLEXIBLE, dim: (low, high)}
    c = candidate(style_ranges=ranges)
    fit = scoring_alliance.style_fit(seeker, c)
    distance = max(0, low - wanted, wanted - high)
    assert (fit == 1.0) == (distance == 0)
    if distance:
        nearer = {**FLEXIBLE, dim: (low - 1, high) if low > wanted else (low, high + 1)}
        nearer_fit = scoring_alliance.style_fit(seeker, candidate(style_ranges=nearer))
        assert nearer_fit > fit if distance <= weights.STYLE_DISTANCE_FULL else nearer_fit >= fit
    # The same in the fast path, through the whole score.
    other = candidate(2, style_ranges=dict.fromkeys(vocabulary.STYLE_DIMENSIONS, (1, 5)))
    totals = fast_totals(seeker, [c, other])
    assert abs(totals[1] - score(seeker, c, RULES).total) < 1e-9
    assert totals[2] >= totals[1]


def test_a_covering_range_beats_a_distant_one_in_both_paths() -> None:
    wants_structure = dataclasses.replace(SEEKER, style={"lead": 1, "tone": 5})
    structured = candidate(1, style_ranges={**FLEXIBLE, "lead": (1, 2), "tone": (4, 5)})
    follows = candidate(2, style_ranges={**FLEXIBLE, "lead": (4, 5), "tone": (1, 2)})
    order = [s.therapist_id for s in rank(wants_structure, [follows, structured], RULES)]
    assert order == [1, 2]
    ids, _ = rank_index(build_index([follows, structured]), wants_structure, RULES)
    assert ids.tolist() == [1, 2]
    reasons = [
        r.text for c in score(wants_structure, structured, RULES).components for r in c.reasons
    ]
    assert (
        "Works the way you asked: brings a clear plan and is direct and challenges you" in reasons
    )
    assert cards.mismatches(wants_structure, follows) == (
        "Works differently from what you asked about who leads and the tone",
    )


def test_statements_alone_earn_nothing_and_practices_do() -> None:
    stated = candidate(1)
    silent = candidate(2)
    practising = candidate(3, practices=frozenset({"asks_feedback", "changes_approach"}))
    assert score(SEEKER, stated, RULES).total == score(SEEKER, silent, RULES).total
    assert score(SEEKER, practising, RULES).total > score(SEEKER, silent, RULES).total


def test_low_way_we_work_check_ins_make_stated_style_count_for_less() -> None:
    seeker = dataclasses.replace(SEEKER, style={"pace": 5})
    claims = candidate(1, style_ranges={**FLEXIBLE, "pace": (4, 5)})
    doubted = dataclasses.replace(claims, therapist_id=2, checkin_style=0.2)
    confirmed = dataclasses.replace(claims, therapist_id=3, checkin_style=1.0)
    assert scoring_alliance.style_fit(seeker, doubted) < scoring_alliance.style_fit(seeker, claims)
    assert scoring_alliance.style_fit(seeker, confirmed) == scoring_alliance.style_fit(
        seeker, claims
    )
    totals = fast_totals(seeker, [claims, doubted, confirmed])
    assert totals[2] < totals[1] == totals[3]


def demo_alliance_values(seeker: Seeker) -> tuple[list[float], list[float]]:
    """The alliance component of 300 demo therapists: the old rule, and today's."""
    import datetime as dt

    from devtools.demo import demo_therapist

    before, after = [], []
    for number in range(300):
        demo = demo_therapist(number, "CO", today=dt.date(2026, 11, 27))
        practices = frozenset(demo.alliance["practices"])
        ranges = {
            dim: (demo.alliance[f"style_{dim}_low"], demo.alliance[f"style_{dim}_high"])
            for dim in vocabulary.STYLE_DIMENSIONS
        }
        c = candidate(number, practices=practices, style_ranges=ranges)
        after.append(scoring_alliance.alliance(seeker, c, 1.0).value)
        # The old rule: half for a statement (every listed therapist has all four), half for
        # practices, and nothing for style.
        by_trait = [
            0.5 + 0.5 * min(sum(vocabulary.PRACTICE_TRAIT[p] == t for p in practices), 2) / 2
            for t in vocabulary.TRAITS
        ]
        before.append(sum(by_trait) / len(by_trait))
    return before, after


def test_the_alliance_component_tells_demo_therapists_apart() -> None:
    seeker = dataclasses.replace(SEEKER, style={"lead": 2, "pace": 4})
    before, after = demo_alliance_values(seeker)
    assert max(after) - min(after) > max(before) - min(before)
