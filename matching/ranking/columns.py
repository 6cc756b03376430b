"""The ranked list's columns: every candidate of one state as numpy arrays.

Two producers fill CandidateFacts, the raw facts of each candidate, one row each: the
database loader (load.py), straight from rows, and, for tests, reference.facts_of from
scoring Candidate objects. build_columns() is the one place that turns facts into the
StateIndex the kernels read (kernels.py), summing there the parts of the score that never
depend on the responder, with the same factor functions as the per-therapist scorer.

Sets of choices are bit masks in profiles.vocabulary's orders, as the database stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from matching.scoring import factors
from matching.scoring import weights as w
from profiles.vocabulary import SERVICES, STYLE_DIMENSIONS, TRAINING_KINDS, TRAITS


@dataclass(frozen=True)
class CandidateFacts:
    """What the ranking reads of each candidate, as raw columns (one row per candidate)."""

    ids: np.ndarray
    published: np.ndarray
    accepting: np.ndarray
    licensed_until: np.ndarray  # date ordinal
    confirmed: np.ndarray  # epoch seconds
    years_serving: np.ndarray
    caseload_percent: np.ndarray
    services: np.ndarray  # mask over SERVICES
    verified_trainings: np.ndarray  # mask over TRAINING_KINDS
    agency_work: np.ndarray  # any agency work
    agency_unemployed: np.ndarray  # agency work other than employment by agencies
    ride_along_hours: np.ndarray
    lived_experience: np.ndarray
    works_with_retired: np.ndarray
    fitness_evaluator: np.ndarray
    preemployment_evaluator: np.ndarray
    practices: np.ndarray  # n x traits, practices named for the trait
    checkin_traits: np.ndarray  # n x traits, NaN where check-ins are too few
    # n x services x traits: from responders of one service, NaN where they are too few
    checkin_service_traits: np.ndarray
    style_low: np.ndarray  # n x style dimensions, NaN when not described
    style_high: np.ndarray
    checkin_style: np.ndarray  # NaN where check-ins are too few
    # n x (traits and fit): each item's value at the population's figures
    baseline: np.ndarray
    focus: np.ndarray
    trained: np.ndarray
    certified: np.ndarray
    in_person: np.ndarray  # offers in person and has an office location
    telehealth: np.ndarray  # telehealth in this state
    latitude: np.ndarray  # NaN when unknown
    longitude: np.ndarray
    languages: np.ndarray
    hours: np.ndarray
    reschedules: np.ndarray
    payments: np.ndarray
    carriers: np.ndarray
    fee_min: np.ndarray  # NaN when unknown
    sliding: np.ndarray
    gender: np.ndarray  # position in GENDERS, -1 when none
    intros_received: np.ndarray
    intros_answered: np.ndarray
    median_answer_hours: np.ndarray  # NaN when no history
    open_slots: np.ndarray  # openings left
    pending_requests: np.ndarray  # requests waiting for the therapist's answer

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class StateIndex:
    """Every candidate of one state, as the columns the kernels read."""

    position: dict[int, int]
    ids: np.ndarray
    published: np.ndarray
    accepting: np.ndarray
    licensed_until: np.ndarray
    confirmed: np.ndarray
    competence_depth: np.ndarray  # years and caseload factors, weighted, before service depth
    competence_training_lived: np.ndarray
    agency_all: np.ndarray  # the agency factor, weighted
    agency_wary: np.ndarray  # the same for a responder who avoids evaluators
    works_with_retired: np.ndarray
    services: np.ndarray
    service_count: np.ndarray  # how many services they serve
    traits: np.ndarray  # one column per trait, in TRAITS order: the trait's value
    practices: np.ndarray  # one column per trait: practices named (for service figures)
    baseline: np.ndarray  # one column per item (traits, then fit): the population's value
    # Few therapists have enough check-ins from one service to be measured for it, so those
    # measures are kept apart: service_slot is the row of `service_overrides` (slots x
    # services x traits, NaN where that service has too few) or -1, and for a responder of
    # that service they take the place of `traits`.
    service_slot: np.ndarray
    service_overrides: np.ndarray
    style_low: np.ndarray  # one column per style dimension; NaN when not described
    style_high: np.ndarray
    checkin_style: np.ndarray
    focus: np.ndarray
    trained: np.ndarray
    certified: np.ndarray
    in_person: np.ndarray
    telehealth: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    languages: np.ndarray
    hours: np.ndarray
    reschedules: np.ndarray
    payments: np.ndarray
    carriers: np.ndarray
    fee_min: np.ndarray
    sliding: np.ndarray
    gender: np.ndarray
    rate: np.ndarray
    speed: np.ndarray
    fitness_evaluator: np.ndarray
    preemployment_evaluator: np.ndarray
    # Capacity, kept raw: the load reads PENDING_REQUESTS_PER_OPENING at rank time.
    open_slots: np.ndarray
    pending_requests: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return self.service_overrides.nbytes + sum(
            getattr(self, name).nbytes for name in _COLUMN_NAMES
        )


def bits(masks: np.ndarray, width: int) -> np.ndarray:
    """Bit masks as 0/1 columns, one per bit (last axis)."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(width)) & 1).astype(np.float64).reshape(len(masks), width)


def popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.float64)


def build_columns(facts: CandidateFacts) -> StateIndex:
    """Turn facts into columns; the parts of the score that never vary are summed here."""
    f = w.COMPETENCE_FACTORS
    n = len(facts)
    depth = np.empty((n, 2))
    depth[:, 0] = f["years"] * factors.capped_share(facts.years_serving, w.YEARS_FULL)
    depth[:, 1] = f["caseload"] * factors.capped_share(
        facts.caseload_percent, w.CASELOAD_PERCENT_FULL
    )
    training_lived = np.empty((n, 2))
    training_lived[:, 0] = f["training"] * factors.training_value(
        bits(facts.verified_trainings, len(TRAINING_KINDS))
    )
    training_lived[:, 1] = f["lived"] * facts.lived_experience.astype(np.float64)
    agency_all = f["agency"] * factors.agency_value(facts.agency_work, facts.ride_along_hours)
    agency_wary = f["agency"] * factors.agency_value(
        facts.agency_unemployed, facts.ride_along_hours
    )
    shape = (n, len(TRAITS))
    baseline = facts.baseline.reshape(n, len(TRAITS) + 1)
    practices = facts.practices.reshape(shape)
    traits = factors.trait_value(
        facts.checkin_traits.reshape(shape), practices, baseline[:, : len(TRAITS)]
    )
    per_service = facts.checkin_service_traits.reshape(n, len(SERVICES), len(TRAITS))
    measured_for_a_service = ~np.isnan(per_service).all(axis=(1, 2))
    service_slot = np.full(n, -1, dtype=np.int64)
    service_slot[measured_for_a_service] = np.arange(int(measured_for_a_service.sum()))
    rate = factors.answer_rate(facts.intros_received, facts.intros_answered)
    speed = factors.answer_speed(
        facts.intros_received, facts.intros_answered, facts.median_answer_hours
    )
    style_shape = (n, len(STYLE_DIMENSIONS))
    return StateIndex(
        position={int(therapist_id): i for i, therapist_id in enumerate(facts.ids.tolist())},
        ids=facts.ids.astype(np.int64),
        published=facts.published.astype(bool),
        accepting=facts.accepting.astype(bool),
        licensed_until=facts.licensed_until.astype(np.int64),
        confirmed=facts.confirmed.astype(np.float64),
        competence_depth=depth,
        competence_training_lived=training_lived,
        agency_all=np.asarray(agency_all, dtype=np.float64).reshape(n),
        agency_wary=np.asarray(agency_wary, dtype=np.float64).reshape(n),
        works_with_retired=facts.works_with_retired.astype(bool),
        services=facts.services.astype(np.int64),
        service_count=popcount(facts.services.astype(np.int64)),
        traits=traits.astype(np.float64).reshape(shape),
        practices=practices.astype(np.float64),
        baseline=baseline.astype(np.float64),
        service_slot=service_slot,
        service_overrides=np.clip(per_service[measured_for_a_service], 0.0, 1.0).astype(np.float64),
        style_low=facts.style_low.astype(np.float64).reshape(style_shape),
        style_high=facts.style_high.astype(np.float64).reshape(style_shape),
        checkin_style=facts.checkin_style.astype(np.float64),
        focus=facts.focus.astype(np.int64),
        trained=facts.trained.astype(np.int64),
        certified=facts.certified.astype(np.int64),
        in_person=facts.in_person.astype(bool),
        telehealth=facts.telehealth.astype(bool),
        latitude=facts.latitude.astype(np.float64),
        longitude=facts.longitude.astype(np.float64),
        languages=facts.languages.astype(np.int64),
        hours=facts.hours.astype(np.int64),
        reschedules=facts.reschedules.astype(bool),
        payments=facts.payments.astype(np.int64),
        carriers=facts.carriers.astype(np.int64),
        fee_min=facts.fee_min.astype(np.float64),
        sliding=facts.sliding.astype(bool),
        gender=facts.gender.astype(np.int64),
        rate=np.asarray(rate, dtype=np.float64).reshape(n),
        speed=np.asarray(speed, dtype=np.float64).reshape(n),
        fitness_evaluator=facts.fitness_evaluator.astype(bool),
        preemployment_evaluator=facts.preemployment_evaluator.astype(bool),
        open_slots=facts.open_slots.astype(np.int64),
        pending_requests=facts.pending_requests.astype(np.int64),
    )


# Rows of service_overrides that patches may leave unused before the table is compacted.
OVERRIDES_SLACK = 64


# One value (or row of values) per candidate; service_overrides is a table of its own.
_COLUMN_NAMES = tuple(
    f.name for f in fields(StateIndex) if f.name not in ("position", "service_overrides")
)


def index_patched(index: StateIndex, *, changed: set[int], fresh: StateIndex) -> StateIndex:
    """A copy of the index where the changed therapists have their fresh rows.

    A changed therapist missing from `fresh` is no longer a candidate: its row stays, marked
    unpublished, so positions never move and it can come back in place. New ones are added
    at the end. The index given is left untouched, so a request ranking it meanwhile is safe.
    Fresh per-service measures are appended to the overrides table; the rows they replace
    stay until the table is twice what is used, then it is compacted.
    """
    at_old = [
        (index.position[t], i) for i, t in enumerate(fresh.ids.tolist()) if t in index.position
    ]
    added = [i for i, t in enumerate(fresh.ids.tolist()) if t not in index.position]
    gone = [index.position[t] for t in changed if t in index.position and t not in fresh.position]
    shifted = np.where(
        fresh.service_slot >= 0, fresh.service_slot + len(index.service_overrides), -1
    )
    columns = {}
    for name in _COLUMN_NAMES:
        column = getattr(index, name).copy()
        new = shifted if name == "service_slot" else getattr(fresh, name)
        if at_old:
            old_rows, fresh_rows = zip(*at_old, strict=True)
            column[list(old_rows)] = new[list(fresh_rows)]
        if added:
            column = np.concatenate([column, new[added]])
        columns[name] = column
    if gone:
        columns["published"][gone] = False
    overrides = np.concatenate([index.service_overrides, fresh.service_overrides])
    slots = columns["service_slot"]
    used = slots >= 0
    if len(overrides) > 2 * int(used.sum()) + OVERRIDES_SLACK:
        overrides = overrides[slots[used]]
        slots[used] = np.arange(int(used.sum()))
    position = dict(index.position)
    for offset, i in enumerate(added):
        position[int(fresh.ids[i])] = len(index) + offset
    return StateIndex(position=position, service_overrides=overrides, **columns)
