"""A cold load measures tens of thousands of therapists over whole columns at once; the
pages measure a few one by one (alliance.aggregation). Both must give the same values."""

from __future__ import annotations

import random

import numpy as np
from django.conf import settings

from alliance.aggregation import ITEMS, TRAITS, measure_totals, population_of
from alliance.selectors import totals_from_row
from matching.ranking.facts import measured_columns
from matching.ranking.page import _as_checkins
from profiles import vocabulary


def random_totals(seed: int) -> list[tuple]:
    """Totals rows as the database gives them: some therapists measured, some below the
    minimum, some with a service of their own, some with a service but too few overall."""
    chance = random.Random(seed)
    rows = []
    for therapist_id in range(1, 120):
        if chance.random() < 0.3:
            continue  # no released check-ins
        checkins = chance.randint(1, 40)
        responders = chance.randint(1, checkins)
        rows.append(total_row(chance, therapist_id, "", checkins, responders))
        for service in chance.sample(vocabulary.SERVICES, chance.randint(0, 2)):
            part = chance.randint(1, checkins)
            rows.append(total_row(chance, therapist_id, service, part, min(part, responders)))
    return rows


def total_row(chance: random.Random, therapist_id, service, checkins, responders) -> tuple:
    """A row in TOTALS_COLUMNS order: per item, sums over responders of their mean rating,
    of their weak share, and of their mean squared."""
    means = [[chance.uniform(2.0, 10.0) for _ in range(responders)] for _ in ITEMS]
    sums = [sum(m) for m in means]
    weak = [sum(chance.random() for _ in range(responders)) for _ in ITEMS]
    squares = [sum(x * x for x in m) for m in means]
    return (therapist_id, service, checkins, responders, *sums, *weak, *squares)


def as_columns(ids: list[int], measured: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Measures one by one, laid out as measured_columns lays them out."""
    traits = np.full((len(ids), len(TRAITS)), np.nan)
    by_service = np.full((len(ids), len(vocabulary.SERVICES), len(TRAITS)), np.nan)
    fit = np.full(len(ids), np.nan)
    for i, therapist_id in enumerate(ids):
        if therapist_id not in measured:
            continue
        overall, services = measured[therapist_id]
        traits[i] = [overall.values[t] for t in TRAITS]
        fit[i] = np.nan if overall.fit is None else overall.fit
        for s, service in enumerate(vocabulary.SERVICES):
            if service in services:
                by_service[i, s] = [services[service].values[t] for t in TRAITS]
    return traits, by_service, fit


def one_by_one(ids: list[int], rows: list[tuple]):
    """The cards' way: alliance.aggregation's measures, one therapist at a time."""
    totals = [totals_from_row(row) for row in rows]
    population = population_of(t for t in totals if not t.service)
    measures = measure_totals(
        totals,
        population=population,
        min_checkins=settings.ALLIANCE_MIN_CHECKINS,
        min_responders=settings.ALLIANCE_MIN_RESPONDERS,
    )
    measured = {
        tid: (
            _as_checkins(m),
            {s: _as_checkins(x) for s, x in measures.by_service.get(tid, {}).items()},
        )
        for tid, m in measures.overall.items()
    }
    return population, as_columns(ids, measured)


def test_whole_columns_and_one_by_one_give_the_same_measures() -> None:
    for seed in range(20):
        rows = random_totals(seed)
        # Candidates in no particular order, some without totals, some totals for others.
        ids = random.Random(seed).sample(range(1, 150), 100)
        population, expected = one_by_one(ids, rows)
        got = measured_columns(ids, rows, population)
        for name, a, b in zip(("traits", "by_service", "fit"), got, expected, strict=True):
            assert a.shape == b.shape, name
            assert np.array_equal(np.isnan(a), np.isnan(b)), (seed, name)
            assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=0, atol=1e-12), name
        assert not np.isnan(expected[0]).all()  # some were measured
        assert not np.isnan(expected[1]).all()  # some per service
    assert population.strength_source == "estimated from the data"


def test_no_totals_and_no_candidates_measure_nobody() -> None:
    population = population_of([])
    traits, by_service, fit = measured_columns([1, 2], [], population)
    assert np.isnan(traits).all() and np.isnan(by_service).all() and np.isnan(fit).all()
    assert measured_columns([], random_totals(1), population)[0].shape == (0, 4)
