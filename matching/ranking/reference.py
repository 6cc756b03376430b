"""Columns from scoring Candidate objects, and a whole ordered list: for tests, which build
states from random candidates and compare the kernels with the per-therapist scorer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from matching.ranking.columns import CandidateFacts, StateIndex, build_columns
from matching.ranking.kernels import scored
from matching.scoring import factors
from matching.scoring.alliance import practices_named
from matching.scoring.types import Candidate, Rules, Seeker
from matching.scoring.weights import UNMEASURED_TRAIT_VALUE
from profiles.vocabulary import (
    AGENCY_EMPLOYED,
    CONCERNS,
    GENDERS,
    HOURS,
    INSURANCE_CARRIERS,
    LANGUAGES,
    METHODS,
    PAYMENTS,
    SERVICES,
    STYLE_DIMENSIONS,
    TRAINING_KINDS,
    TRAITS,
    bit_mask,
)
from profiles.vocabulary import (
    FIT_ITEM as FIT,
)


def facts_of(candidates: Sequence[Candidate]) -> CandidateFacts:
    """The facts of scoring Candidate objects, as columns."""
    cands = list(candidates)
    n = len(cands)

    def column(values: list, dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    def optional(values: list) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    def per_trait(value: Callable[[Candidate, str], float]) -> np.ndarray:
        rows = [[value(c, t) for t in TRAITS] for c in cands]
        return np.array(rows, dtype=np.float64).reshape(n, len(TRAITS))

    def per_style(value: Callable[[dict, str], int]) -> np.ndarray:
        rows = [
            [
                np.nan if c.style_ranges is None else value(c.style_ranges, d)
                for d in STYLE_DIMENSIONS
            ]
            for c in cands
        ]
        return np.array(rows, dtype=np.float64).reshape(n, len(STYLE_DIMENSIONS))

    def checkin(c: Candidate, trait: str) -> float:
        if c.checkins is None or trait not in c.checkins.values:
            return np.nan
        return c.checkins.values[trait]

    def by_service(c: Candidate) -> list[list[float]]:
        rows = []
        for service in SERVICES:
            measured = c.checkins_by_service.get(service)
            rows.append(
                [np.nan if measured is None else measured.values.get(t, np.nan) for t in TRAITS]
            )
        return rows

    return CandidateFacts(
        ids=column([c.therapist_id for c in cands], np.int64),
        published=column([c.published for c in cands], bool),
        accepting=column([c.accepting for c in cands], bool),
        licensed_until=column([c.licensed_until_ordinal for c in cands], np.int64),
        confirmed=column([c.confirmed_epoch for c in cands], np.float64),
        years_serving=column([c.years_serving for c in cands], np.int64),
        caseload_percent=column([c.caseload_percent for c in cands], np.int64),
        services=column([bit_mask(c.services, SERVICES) for c in cands], np.int64),
        verified_trainings=column(
            [bit_mask(c.verified_trainings, TRAINING_KINDS) for c in cands], np.int64
        ),
        agency_work=column([bool(c.agency_work) for c in cands], bool),
        agency_unemployed=column([bool(c.agency_work - AGENCY_EMPLOYED) for c in cands], bool),
        ride_along_hours=column([c.ride_along_hours for c in cands], np.int64),
        lived_experience=column([bool(c.lived_experience) for c in cands], bool),
        works_with_retired=column([c.works_with_retired for c in cands], bool),
        fitness_evaluator=column(["fitness_for_duty" in c.agency_evaluations for c in cands], bool),
        preemployment_evaluator=column(
            ["pre_employment" in c.agency_evaluations for c in cands], bool
        ),
        practices=per_trait(practices_named),
        checkin_traits=per_trait(checkin),
        checkin_service_traits=np.array([by_service(c) for c in cands], dtype=np.float64).reshape(
            n, len(SERVICES), len(TRAITS)
        ),
        style_low=per_style(lambda ranges, d: ranges[d][0]),
        style_high=per_style(lambda ranges, d: ranges[d][1]),
        checkin_style=optional([c.checkin_style for c in cands]),
        baseline=np.array(
            [
                [c.alliance_baseline.get(item, UNMEASURED_TRAIT_VALUE) for item in (*TRAITS, FIT)]
                for c in cands
            ],
            dtype=np.float64,
        ).reshape(n, len(TRAITS) + 1),
        focus=column([bit_mask(c.focus_concerns, CONCERNS) for c in cands], np.int64),
        trained=column([bit_mask(c.methods_trained, METHODS) for c in cands], np.int64),
        certified=column([bit_mask(c.methods_certified, METHODS) for c in cands], np.int64),
        in_person=column(
            [
                c.offers_in_person
                and c.office_latitude is not None
                and c.office_longitude is not None
                for c in cands
            ],
            bool,
        ),
        telehealth=column([c.offers_telehealth_here for c in cands], bool),
        latitude=optional([c.office_latitude for c in cands]),
        longitude=optional([c.office_longitude for c in cands]),
        languages=column([bit_mask(c.languages, LANGUAGES) for c in cands], np.int64),
        hours=column([bit_mask(c.hours, HOURS) for c in cands], np.int64),
        reschedules=column([c.reschedules_around_shifts for c in cands], bool),
        payments=column([bit_mask(c.payment_methods, PAYMENTS) for c in cands], np.int64),
        carriers=column(
            [bit_mask(c.insurance_carriers, INSURANCE_CARRIERS) for c in cands], np.int64
        ),
        fee_min=optional([c.fee_min_dollars for c in cands]),
        sliding=column([c.sliding_scale for c in cands], bool),
        gender=column(
            [GENDERS.index(c.gender) if c.gender in GENDERS else -1 for c in cands], np.int64
        ),
        intros_received=column([c.intros_received for c in cands], np.int64),
        intros_answered=column([c.intros_answered for c in cands], np.int64),
        median_answer_hours=optional([c.median_answer_hours for c in cands]),
        open_slots=column([c.open_slots for c in cands], np.int64),
        pending_requests=column([c.pending_requests for c in cands], np.int64),
    )


def build_index(candidates: Sequence[Candidate]) -> StateIndex:
    """The columns of scoring Candidate objects."""
    return build_columns(facts_of(candidates))


def rank_index(index: StateIndex, seeker: Seeker, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Ids of every eligible candidate who may be asked now, best first (by the order value;
    exact ties shuffled for this responder), and their scores."""
    ids, total, order_value = scored(index, seeker, rules)
    order = np.lexsort((factors.tie_order(seeker.tie_seed, ids), -order_value))
    return ids[order], total[order]
