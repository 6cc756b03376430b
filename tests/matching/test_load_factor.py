"""The ranking knows about load, gently: a therapist near their limit sits a little lower, and
the order between two therapists who both have room never changes (no database).

"Has room": requests waiting below ROOM_LOAD_SHARE of the most a therapist may hold
(PENDING_REQUESTS_PER_OPENING per opening left). Checked in the per-therapist scorer and in
the ranked list's columns alike.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.ranking.reference import build_index, rank_index
from matching.scoring import Candidate, Seeker, cards, factors, score
from matching.scoring import weights as w
from matching.scoring.reference import rank
from matching.scoring.words import FEW_OPENINGS_WORDS, HAS_ROOM_WORDS, NOT_TAKING_REQUESTS_WORDS
from tests.matching.strategies import RULES, random_candidate, seekers

PER_OPENING = RULES.pending_requests_per_opening


def with_room(rng: random.Random) -> tuple[int, int]:
    """(open slots, requests waiting) of a therapist who has room."""
    open_slots = rng.randint(1, 8)
    most = open_slots * PER_OPENING
    waiting = rng.randint(0, max(0, int(np.ceil(w.ROOM_LOAD_SHARE * most)) - 1))
    assert factors.has_room(factors.request_load(waiting, open_slots, PER_OPENING))
    return open_slots, waiting


def listed(c: Candidate) -> Candidate:
    """The candidate, listed and current, so that only the answers and the load decide."""
    return dataclasses.replace(
        c,
        published=True,
        accepting=True,
        licensed_until_ordinal=RULES.today_ordinal + 100,
        confirmed_epoch=RULES.now_epoch,
    )


def test_has_room_means_below_the_room_line_of_what_may_wait() -> None:
    # With 2 requests per opening: 3 openings hold 6; room below 3 waiting.
    assert factors.has_room(factors.request_load(2, 3, 2))
    assert not factors.has_room(factors.request_load(3, 3, 2))
    assert factors.takes_requests(factors.request_load(5, 3, 2))
    assert not factors.takes_requests(factors.request_load(6, 3, 2))
    # No opening left: full, whatever waits.
    assert not factors.takes_requests(factors.request_load(0, 0, 2))
    # The same on columns.
    load = factors.request_load(np.array([0, 2, 3, 5, 6, 0]), np.array([3, 3, 3, 3, 3, 0]), 2)
    assert factors.has_room(load).tolist() == [True, True, False, False, False, False]
    assert factors.takes_requests(load).tolist() == [True, True, True, True, False, False]


def test_the_order_share_is_whole_with_room_and_falls_gently_to_the_full_share() -> None:
    loads = np.linspace(0.0, 1.0, 101)
    shares = factors.load_order_share(loads)
    assert (shares[loads < w.ROOM_LOAD_SHARE] == 1.0).all()
    assert shares[-1] == pytest.approx(w.FULL_LOAD_ORDER_SHARE)
    assert (np.diff(shares) <= 0).all()  # more load never orders a therapist higher
    assert (np.diff(shares[loads > w.ROOM_LOAD_SHARE]) < 0).all()  # and past room, lower
    assert factors.load_order_share(0.75) == pytest.approx(
        1 - (1 - w.FULL_LOAD_ORDER_SHARE) / 2
    )  # one scalar, the same formula


@settings(max_examples=120, deadline=None)
@given(seeker=seekers(), seed=st.integers(0, 2**32 - 1))
def test_the_load_factor_never_reorders_two_therapists_who_both_have_room(
    seeker: Seeker, seed: int
) -> None:
    """Random pairs, in the scorer: with any loads within room, the pair keeps the order of
    their scores (ties shuffled by the responder's seed), as with no load at all."""
    rng = random.Random(seed)
    a, b = (listed(random_candidate(rng, therapist_id)) for therapist_id in (11, 22))
    pair = []
    for c in (a, b):
        open_slots, waiting = with_room(rng)
        pair.append(dataclasses.replace(c, open_slots=open_slots, pending_requests=waiting))
    idle = [dataclasses.replace(c, pending_requests=0, open_slots=8) for c in pair]
    loaded_order = [s.therapist_id for s in rank(seeker, pair, RULES)]
    idle_order = [s.therapist_id for s in rank(seeker, idle, RULES)]
    assert loaded_order == idle_order
    for scored in rank(seeker, pair, RULES):
        assert scored.order_value == scored.total  # nothing taken off while there is room


@settings(max_examples=60, deadline=None)
@given(seeker=seekers(), seed=st.integers(0, 2**32 - 1))
def test_the_columns_keep_every_order_between_therapists_with_room(
    seeker: Seeker, seed: int
) -> None:
    """Whole lists, in the columns: loading everyone within room changes no place at all."""
    rng = random.Random(seed)
    pool = [listed(random_candidate(rng, therapist_id)) for therapist_id in range(1, 41)]
    loaded = []
    for c in pool:
        open_slots, waiting = with_room(rng)
        loaded.append(dataclasses.replace(c, open_slots=open_slots, pending_requests=waiting))
    idle = [dataclasses.replace(c, open_slots=8, pending_requests=0) for c in pool]
    loaded_ids, loaded_totals = rank_index(build_index(loaded), seeker, RULES)
    idle_ids, idle_totals = rank_index(build_index(idle), seeker, RULES)
    assert loaded_ids.tolist() == idle_ids.tolist()
    assert loaded_totals.tolist() == idle_totals.tolist()


@settings(max_examples=60, deadline=None)
@given(seeker=seekers(), seed=st.integers(0, 2**32 - 1))
def test_scorer_and_columns_agree_on_lists_with_any_load(seeker: Seeker, seed: int) -> None:
    """With loads from none to past full, both paths list the same therapists in the same
    order, and leave out those who may not be asked."""
    rng = random.Random(seed)
    pool = []
    for therapist_id in range(1, 41):
        c = listed(random_candidate(rng, therapist_id))
        open_slots = rng.choice([0, 1, 2, 3, 5])
        waiting = rng.randint(0, open_slots * PER_OPENING + 1)
        pool.append(dataclasses.replace(c, open_slots=open_slots, pending_requests=waiting))
    slow = rank(seeker, pool, RULES)
    fast_ids, fast_totals = rank_index(build_index(pool), seeker, RULES)
    assert fast_ids.tolist() == [s.therapist_id for s in slow]
    assert fast_totals.tolist() == pytest.approx([s.total for s in slow])
    by_id = {c.therapist_id: c for c in pool}
    for therapist_id in fast_ids.tolist():
        c = by_id[therapist_id]
        assert c.pending_requests < c.open_slots * PER_OPENING


def test_a_therapist_near_their_limit_moves_down_and_one_at_it_is_not_listed() -> None:
    seeker = Seeker(state="CO", concerns=frozenset({"trauma"}))
    base = listed(
        Candidate(
            therapist_id=1,
            offers_telehealth_here=True,
            focus_concerns=frozenset({"trauma"}),
            years_serving=12,
            open_slots=2,
        )
    )
    # A slightly weaker fit with room beside a stronger one whose places are filling up.
    weaker = dataclasses.replace(base, therapist_id=2, years_serving=10)
    stronger_score = score(seeker, base, RULES).total
    assert stronger_score > score(seeker, weaker, RULES).total
    assert [s.therapist_id for s in rank(seeker, [base, weaker], RULES)] == [1, 2]
    near = dataclasses.replace(base, pending_requests=3)  # 3 of 4 may wait
    ranked = rank(seeker, [near, weaker], RULES)
    assert [s.therapist_id for s in ranked] == [2, 1]
    assert ranked[1].total == stronger_score  # the score shown does not move
    full = dataclasses.replace(base, pending_requests=4)
    assert [s.therapist_id for s in rank(seeker, [full, weaker], RULES)] == [2]
    ids, _ = rank_index(build_index([near, weaker]), seeker, RULES)
    assert ids.tolist() == [2, 1]


def test_cards_say_room_in_words_never_a_number() -> None:
    seeker = Seeker(state="CO")
    c = listed(Candidate(therapist_id=1, offers_telehealth_here=True, open_slots=3))
    lines = {
        waiting: cards.card_lines(seeker, dataclasses.replace(c, pending_requests=waiting), RULES)
        for waiting in range(0, 7)
    }
    assert {waiting: line.room for waiting, line in lines.items()} == {
        0: HAS_ROOM_WORDS,
        1: HAS_ROOM_WORDS,
        2: HAS_ROOM_WORDS,
        3: FEW_OPENINGS_WORDS,
        4: FEW_OPENINGS_WORDS,
        5: FEW_OPENINGS_WORDS,
        6: NOT_TAKING_REQUESTS_WORDS,
    }
    assert not any(ch.isdigit() for line in lines.values() for ch in line.room)
