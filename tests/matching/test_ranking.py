"""The fast path must give the same scores and the same order as the reference scorer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.ranking.kernels import rank_top
from matching.ranking.reference import build_index, rank_index
from matching.scoring import Seeker
from matching.scoring.reference import rank
from tests.matching.strategies import RULES, random_checkins, random_pool, seekers

SCORE_TOLERANCE = 1e-9


def assert_same_ranking(seeker: Seeker, pool) -> None:
    expected = rank(seeker, pool, RULES)
    ids, totals = rank_index(build_index(pool), seeker, RULES)
    assert len(ids) == len(expected)
    np.testing.assert_allclose(totals, [s.total for s in expected], atol=SCORE_TOLERANCE)
    # The same order, except where two scores are equal to within rounding.
    for position, (got, want) in enumerate(zip(ids.tolist(), expected, strict=True)):
        if got != want.therapist_id:
            assert abs(totals[position] - want.total) < SCORE_TOLERANCE


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(seeker=seekers(), seed=st.integers(0, 2**32 - 1), size=st.integers(0, 120))
def test_the_fast_path_agrees_with_the_reference_scorer(
    seeker: Seeker, seed: int, size: int
) -> None:
    assert_same_ranking(seeker, random_pool(seed, size))


@pytest.mark.parametrize("seed", range(3))
def test_the_fast_path_agrees_on_a_large_state(seed: int) -> None:
    seeker = Seeker(
        state="CO",
        service="fire",
        latitude=39.75,
        longitude=-104.99,
        travel_miles=60,
        concerns=frozenset({"trauma", "sleep"}),
        hours=frozenset({"evenings"}),
        payment_methods=frozenset({"eap", "insurance"}),
        insurance_carrier="aetna",
        methods_wanted=frozenset({"emdr"}),
        methods_avoided=frozenset({"group"}),
        importance={"empathy": 3, "responder_culture": 3},
    )
    assert_same_ranking(seeker, random_pool(seed, 3000))


def test_identical_therapists_come_out_in_the_same_shuffled_order_in_both_paths() -> None:
    twin = random_pool(7, 1)[0]
    twin = dataclasses.replace(
        twin,
        published=True,
        accepting=True,
        offers_telehealth_here=True,
        licensed_until_ordinal=RULES.today_ordinal + 10,
        confirmed_epoch=RULES.now_epoch,
    )
    pool = [dataclasses.replace(twin, therapist_id=i) for i in (40, 7, 19, 3, 88)]
    for seed in (0, 1, 2**31 + 5):
        seeker = Seeker(state="CO", format_preference="telehealth", tie_seed=seed)
        ids, _ = rank_index(build_index(pool), seeker, RULES)
        assert ids.tolist() == [s.therapist_id for s in rank(seeker, pool, RULES)]


def test_an_office_just_outside_the_travel_limit_is_left_out() -> None:
    base = random_pool(3, 1)[0]
    office = dataclasses.replace(
        base,
        published=True,
        accepting=True,
        offers_in_person=True,
        offers_telehealth_here=False,
        licensed_until_ordinal=RULES.today_ordinal + 10,
        confirmed_epoch=RULES.now_epoch,
        office_latitude=40.0,
        office_longitude=-105.0,
        agency_evaluations=frozenset(),
        open_slots=3,
        pending_requests=0,
    )
    # About 34.5 miles north of the office.
    seeker = Seeker(state="CO", latitude=40.5, longitude=-105.0, format_preference="in_person")
    near = dataclasses.replace(seeker, travel_miles=35)
    far = dataclasses.replace(seeker, travel_miles=34)
    assert rank_index(build_index([office]), near, RULES)[0].tolist() == [office.therapist_id]
    assert rank_index(build_index([office]), far, RULES)[0].tolist() == []
    assert len(rank(near, [office], RULES)) == 1 and rank(far, [office], RULES) == []


@settings(max_examples=100, deadline=None)
@given(
    seeker=seekers(),
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(0, 120),
    count=st.integers(1, 130),
    twins=st.integers(0, 30),
)
def test_the_top_of_the_list_is_the_start_of_the_whole_ranking(
    seeker: Seeker, seed: int, size: int, count: int, twins: int
) -> None:
    pool = random_pool(seed, size)
    if pool:  # identical therapists tie, and ties at the cut must still come out by id
        pool += [dataclasses.replace(pool[0], therapist_id=10_000 + i) for i in range(twins)]
    index = build_index(pool)
    ids, totals = rank_index(index, seeker, RULES)
    top, top_totals, eligible = rank_top(index, seeker, RULES, count=count)
    assert eligible == len(ids)
    assert top.tolist() == ids[:count].tolist()
    np.testing.assert_array_equal(top_totals, totals[:count])


@pytest.mark.parametrize("service", ["fire", "dispatch", ""])
def test_an_index_patched_again_and_again_ranks_as_one_built_afresh(service: str) -> None:
    """Patches append per-service measures and compact them; the ranking must not notice."""
    import random

    from matching.ranking.columns import OVERRIDES_SLACK, index_patched

    rng = random.Random(11)
    pool = {c.therapist_id: c for c in random_pool(5, 300)}
    index = build_index(list(pool.values()))
    seeker = Seeker(state="CO", service=service, format_preference="telehealth")
    compacted = False
    for round_number in range(150):
        changed = rng.sample(sorted(pool), 12)
        fresh = []
        for therapist_id in changed:
            if rng.random() < 0.15:
                del pool[therapist_id]  # no longer a candidate
                continue
            candidate = random_pool(1000 + round_number * 100 + len(fresh), 1)[0]
            # Most changed therapists get check-ins, some from the responder's service.
            measured = random_checkins(rng) if rng.random() < 0.8 else None
            own = rng.choice([service or "fire", "police", "ems"])
            candidate = dataclasses.replace(
                candidate,
                therapist_id=therapist_id,
                checkins=measured,
                checkins_by_service={own: random_checkins(rng)} if measured else {},
            )
            pool[therapist_id] = candidate
            fresh.append(candidate)
        for new_id in rng.sample(range(10**6, 2 * 10**6), 2):
            pool[new_id] = dataclasses.replace(random_pool(new_id, 1)[0], therapist_id=new_id)
            fresh.append(pool[new_id])
            changed.append(new_id)
        before = len(index.service_overrides)
        index = index_patched(index, changed=set(changed), fresh=build_index(fresh))
        compacted |= len(index.service_overrides) < before
        used = index.service_slot[index.service_slot >= 0]
        assert len(np.unique(used)) == used.size  # no two rows share a slot
        assert len(index.service_overrides) <= 2 * used.size + OVERRIDES_SLACK + 12
    assert compacted
    ids, totals = rank_index(index, seeker, RULES)
    fresh_ids, fresh_totals = rank_index(build_index(list(pool.values())), seeker, RULES)
    assert sorted(ids.tolist()) == sorted(fresh_ids.tolist())
    by_id = dict(zip(fresh_ids.tolist(), fresh_totals.tolist(), strict=True))
    np.testing.assert_allclose(totals, [by_id[i] for i in ids.tolist()], atol=SCORE_TOLERANCE)
    assert_same_ranking(seeker, list(pool.values()))
