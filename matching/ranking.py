"""The ranked list's fast path: the formulas of matching/scoring.py over numpy arrays.

One StateIndex holds every candidate of one state as columns. A request applies the hard
rules that depend on the responder or on the clock (format, distance, must-haves, license
expiry, confirmation age) as boolean masks, scores the rest, and orders them. Only the
therapists shown on the page are then scored again by scoring.score for their reasons.
tests/matching/test_ranking.py checks that both paths agree on random data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from matching import scoring
from matching.scoring import Candidate, Rules, Seeker

SERVICES = tuple(scoring.SERVICE_PEOPLE)
CONCERNS = tuple(scoring.CONCERN_WORDS)
METHODS = tuple(scoring.METHOD_WORDS)
HOURS = tuple(scoring.HOURS_WORDS)
LANGUAGES = tuple(scoring.LANGUAGE_WORDS)
PAYMENTS = tuple(scoring.PAYMENT_WORDS)
CARRIERS = tuple(scoring.CARRIER_WORDS)
GENDERS = ("woman", "man", "nonbinary", "undisclosed")
STYLE = scoring.STYLE_DIMENSIONS
MILES_PER_DEGREE_LATITUDE = 68.7  # the smallest, so the bounding box never cuts too much


def mask_of(values: frozenset[str] | set[str], order: Sequence[str]) -> int:
    """Bit mask of a set of values; a value's bit is its position in `order`."""
    return sum(1 << order.index(value) for value in values if value in order)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.float64)


@dataclass(frozen=True)
class CandidateFacts:
    """What the ranking reads of each candidate, as raw columns (one row per candidate).

    Sets of choices are bit masks in this module's orders (SERVICES, CONCERNS, ...). Two
    producers fill it: facts_of() from scoring.Candidate objects (tests, the reference
    path) and the database loader (matching/selectors/candidates.py), straight from rows.
    build_columns() is the one place that turns facts into the columns rank_index reads.
    """

    ids: np.ndarray
    published: np.ndarray
    accepting: np.ndarray
    licensed_until: np.ndarray  # date ordinal
    confirmed: np.ndarray  # epoch seconds
    years_serving: np.ndarray
    caseload_percent: np.ndarray
    services: np.ndarray  # mask over SERVICES
    service_count: np.ndarray  # how many services, known or not
    training_value: np.ndarray  # scoring.training_value: verified trainings, by their kind
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
    gender: np.ndarray  # position in GENDERS, -1 when another or none
    intros_received: np.ndarray
    intros_answered: np.ndarray
    median_answer_hours: np.ndarray  # NaN when no history

    def __len__(self) -> int:
        return len(self.ids)


def facts_of(candidates: Sequence[Candidate]) -> CandidateFacts:
    """The facts of scoring.Candidate objects, as columns."""
    cands = list(candidates)
    n = len(cands)

    def column(values: list, dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    def optional(values: list) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    def per_trait(value: Callable[[Candidate, str], float]) -> np.ndarray:
        rows = [[value(c, t) for t in scoring.TRAITS] for c in cands]
        return np.array(rows, dtype=np.float64).reshape(n, len(scoring.TRAITS))

    def per_style(value: Callable[[dict, str], int]) -> np.ndarray:
        rows = [
            [np.nan if c.style_ranges is None else value(c.style_ranges, d) for d in STYLE]
            for c in cands
        ]
        return np.array(rows, dtype=np.float64).reshape(n, len(STYLE))

    def practices_for(c: Candidate, trait: str) -> float:
        return sum(1 for p in c.practices if scoring.PRACTICE_TRAIT.get(p) == trait)

    def checkin(c: Candidate, trait: str) -> float:
        if c.checkins is None or trait not in c.checkins.values:
            return np.nan
        return c.checkins.values[trait]

    def by_service(c: Candidate) -> list[list[float]]:
        rows = []
        for service in SERVICES:
            measured = c.checkins_by_service.get(service)
            rows.append(
                [
                    np.nan if measured is None else measured.values.get(t, np.nan)
                    for t in scoring.TRAITS
                ]
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
        services=column([mask_of(c.services, SERVICES) for c in cands], np.int64),
        service_count=column([len(c.services) for c in cands], np.int64),
        training_value=column([scoring.training_value(c) for c in cands], np.float64),
        agency_work=column([bool(c.agency_work) for c in cands], bool),
        agency_unemployed=column(
            [bool(c.agency_work - scoring.AGENCY_EMPLOYED) for c in cands], bool
        ),
        ride_along_hours=column([c.ride_along_hours for c in cands], np.int64),
        lived_experience=column([bool(c.lived_experience) for c in cands], bool),
        works_with_retired=column([c.works_with_retired for c in cands], bool),
        fitness_evaluator=column(["fitness_for_duty" in c.agency_evaluations for c in cands], bool),
        preemployment_evaluator=column(
            ["pre_employment" in c.agency_evaluations for c in cands], bool
        ),
        practices=per_trait(practices_for),
        checkin_traits=per_trait(checkin),
        checkin_service_traits=np.array([by_service(c) for c in cands], dtype=np.float64).reshape(
            n, len(SERVICES), len(scoring.TRAITS)
        ),
        style_low=per_style(lambda ranges, d: ranges[d][0]),
        style_high=per_style(lambda ranges, d: ranges[d][1]),
        checkin_style=optional([c.checkin_style for c in cands]),
        focus=column([mask_of(c.focus_concerns, CONCERNS) for c in cands], np.int64),
        trained=column([mask_of(c.methods_trained, METHODS) for c in cands], np.int64),
        certified=column([mask_of(c.methods_certified, METHODS) for c in cands], np.int64),
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
        languages=column([mask_of(c.languages, LANGUAGES) for c in cands], np.int64),
        hours=column([mask_of(c.hours, HOURS) for c in cands], np.int64),
        reschedules=column([c.reschedules_around_shifts for c in cands], bool),
        payments=column([mask_of(c.payment_methods, PAYMENTS) for c in cands], np.int64),
        carriers=column([mask_of(c.insurance_carriers, CARRIERS) for c in cands], np.int64),
        fee_min=optional([c.fee_min_dollars for c in cands]),
        sliding=column([c.sliding_scale for c in cands], bool),
        gender=column(
            [GENDERS.index(c.gender) if c.gender in GENDERS else -1 for c in cands], np.int64
        ),
        intros_received=column([c.intros_received for c in cands], np.int64),
        intros_answered=column([c.intros_answered for c in cands], np.int64),
        median_answer_hours=optional([c.median_answer_hours for c in cands]),
    )


@dataclass(frozen=True)
class StateIndex:
    """Every candidate of one state, as the columns rank_index reads."""

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
    retired: np.ndarray
    services: np.ndarray
    service_count: np.ndarray
    traits: np.ndarray  # one column per trait, in scoring.TRAITS order
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

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return self.service_overrides.nbytes + sum(
            getattr(self, name).nbytes for name in _COLUMN_NAMES
        )


# Rows of service_overrides that patches may leave unused before the table is compacted.
OVERRIDES_SLACK = 64


def build_columns(facts: CandidateFacts) -> StateIndex:
    """Turn facts into columns; the parts of the score that never vary are summed here.

    The same formulas as scoring.py (competence factors, trait values, answer rate and
    speed), over whole columns at once.
    """
    weights = scoring.COMPETENCE_FACTORS
    n = len(facts)
    years = np.minimum(np.maximum(0, facts.years_serving), scoring.YEARS_FULL) / scoring.YEARS_FULL
    caseload = (
        np.minimum(np.maximum(0, facts.caseload_percent), scoring.CASELOAD_PERCENT_FULL)
        / scoring.CASELOAD_PERCENT_FULL
    )
    ride = (
        np.minimum(np.maximum(0, facts.ride_along_hours), scoring.RIDE_ALONG_HOURS_FULL)
        / scoring.RIDE_ALONG_HOURS_FULL
    )
    depth = np.empty((n, 2))
    depth[:, 0] = weights["years"] * years
    depth[:, 1] = weights["caseload"] * caseload
    training_lived = np.empty((n, 2))
    training_lived[:, 0] = weights["training"] * facts.training_value
    training_lived[:, 1] = weights["lived"] * facts.lived_experience.astype(np.float64)
    agency_all = weights["agency"] * np.maximum(facts.agency_work.astype(np.float64), ride)
    agency_wary = weights["agency"] * np.maximum(facts.agency_unemployed.astype(np.float64), ride)
    shape = (n, len(scoring.TRAITS))
    # As scoring.trait_value: practices, or check-ins once there are enough; statements
    # earn nothing by themselves.
    from_profile = np.minimum(facts.practices, 2).reshape(shape) / 2
    checkins = facts.checkin_traits.reshape(shape)
    traits = np.where(np.isnan(checkins), from_profile, np.clip(checkins, 0.0, 1.0))
    per_service = facts.checkin_service_traits.reshape(n, len(SERVICES), len(scoring.TRAITS))
    measured_for_a_service = ~np.isnan(per_service).all(axis=(1, 2))
    service_slot = np.full(n, -1, dtype=np.int64)
    service_slot[measured_for_a_service] = np.arange(int(measured_for_a_service.sum()))
    received = np.maximum(0, facts.intros_received)
    answered = np.maximum(0, np.minimum(facts.intros_answered, received))
    rate = (answered + scoring.ANSWER_RATE_PRIOR_WEIGHT * scoring.ANSWER_RATE_PRIOR) / (
        received + scoring.ANSWER_RATE_PRIOR_WEIGHT
    )
    median = facts.median_answer_hours
    with np.errstate(invalid="ignore"):
        speed_of_answers = np.where(
            np.isnan(median) | (facts.intros_answered <= 0),
            scoring.NEUTRAL,
            1
            - np.minimum(np.maximum(0.0, median), scoring.ANSWER_HOURS_FULL)
            / scoring.ANSWER_HOURS_FULL,
        )
    style_shape = (n, len(STYLE))
    return StateIndex(
        position={int(therapist_id): i for i, therapist_id in enumerate(facts.ids.tolist())},
        ids=facts.ids.astype(np.int64),
        published=facts.published.astype(bool),
        accepting=facts.accepting.astype(bool),
        licensed_until=facts.licensed_until.astype(np.int64),
        confirmed=facts.confirmed.astype(np.float64),
        competence_depth=depth,
        competence_training_lived=training_lived,
        agency_all=agency_all.astype(np.float64),
        agency_wary=agency_wary.astype(np.float64),
        retired=facts.works_with_retired.astype(bool),
        services=facts.services.astype(np.int64),
        service_count=np.minimum(facts.service_count, 3) / 3,
        traits=traits.astype(np.float64),
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
        rate=rate.astype(np.float64),
        # As scoring.answer_speed: the speed of answers, times the chance of one.
        speed=(rate * speed_of_answers).astype(np.float64),
        fitness_evaluator=facts.fitness_evaluator.astype(bool),
        preemployment_evaluator=facts.preemployment_evaluator.astype(bool),
    )


def build_index(candidates: Sequence[Candidate]) -> StateIndex:
    """The columns of scoring.Candidate objects."""
    return build_columns(facts_of(candidates))


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


def _distances(index: StateIndex, seeker: Seeker) -> np.ndarray:
    """Miles to each reachable office; NaN for offices outside the travel limit or unknown.

    A bounding box first keeps the exact (haversine) distance to the few offices near enough.
    """
    result = np.full(len(index), np.nan)
    if seeker.latitude is None or seeker.longitude is None:
        return result
    travel = float(seeker.travel_miles)
    d_lat = travel / MILES_PER_DEGREE_LATITUDE
    widest = min(89.0, abs(seeker.latitude) + d_lat)
    d_lon = travel / (MILES_PER_DEGREE_LATITUDE * np.cos(np.radians(widest)))
    with np.errstate(invalid="ignore"):
        box = (
            index.in_person
            & (np.abs(index.latitude - seeker.latitude) <= d_lat)
            & (np.abs(index.longitude - seeker.longitude) <= d_lon)
        )
    rows = np.flatnonzero(box)
    if rows.size == 0:
        return result
    phi1 = np.radians(seeker.latitude)
    phi2 = np.radians(index.latitude[rows])
    d_phi = phi2 - phi1
    d_lambda = np.radians(index.longitude[rows] - seeker.longitude)
    a = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    miles = 2 * scoring.EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    within = miles <= travel
    result[rows[within]] = miles[within]
    return result


def _payment_values(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    """scoring.payment_value for each row."""
    if not seeker.payment_methods:
        return np.full(rows.size, scoring.NEUTRAL)
    payments = index.payments[rows]
    best = np.zeros(rows.size)

    def offers(method: str) -> np.ndarray:
        return (payments & (1 << PAYMENTS.index(method))) != 0

    if "insurance" in seeker.payment_methods:
        carrier = seeker.insurance_carrier
        if carrier:
            in_network = (index.carriers[rows] & (1 << CARRIERS.index(carrier))) != 0
            value = np.where(in_network, 1.0, 0.3)
        else:
            value = np.ones(rows.size)
        best = np.maximum(best, np.where(offers("insurance"), value, 0.0))
    if "self_pay" in seeker.payment_methods:
        budget = seeker.self_pay_budget_dollars
        if budget is None:
            value = np.ones(rows.size)
        else:
            fee = index.fee_min[rows]
            value = np.where(
                np.isnan(fee),
                0.8,
                np.where(fee <= budget, 1.0, np.where(index.sliding[rows], 0.7, 0.3)),
            )
        best = np.maximum(best, np.where(offers("self_pay"), value, 0.0))
    for method in ("eap", "workers_comp"):
        if method in seeker.payment_methods:
            best = np.maximum(best, np.where(offers(method), 1.0, 0.0))
    return best


def rank_index(index: StateIndex, seeker: Seeker, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the eligible candidates, best first (exact ties shuffled for this responder),
    and their scores."""
    ids, total = scored(index, seeker, rules)
    order = np.lexsort((tie_order(seeker.tie_seed, ids), -total))
    return ids[order], total[order]


def tie_order(seed: int, ids: np.ndarray) -> np.ndarray:
    """scoring.tie_order over an array of ids (uint64 arithmetic wraps like the mask)."""
    with np.errstate(over="ignore"):
        return (ids.astype(np.uint64) ^ np.uint64(seed)) * np.uint64(scoring.TIE_MULTIPLIER)


def rank_top(
    index: StateIndex,
    seeker: Seeker,
    rules: Rules,
    *,
    count: int,
    exclude: frozenset[int] = frozenset(),
) -> tuple[np.ndarray, np.ndarray, int]:
    """The best `count` eligible candidates in rank_index's order, their scores, and how many
    are eligible in all.

    Only those that can reach the top are sorted: at 70,000 candidates, sorting them all
    cost more than scoring them.
    """
    ids, total = scored(index, seeker, rules)
    if exclude:
        kept = ~np.isin(ids, list(exclude))
        ids, total = ids[kept], total[kept]
    eligible = len(ids)
    if 0 < count < eligible:
        # Everyone scoring at least the count-th best score, ties included, then exact order.
        threshold = np.partition(total, eligible - count)[eligible - count]
        near = np.flatnonzero(total >= threshold)
        ids, total = ids[near], total[near]
    order = np.lexsort((tie_order(seeker.tie_seed, ids), -total))[:count]
    return ids[order], total[order], eligible


def scored(index: StateIndex, seeker: Seeker, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the eligible candidates and their scores, in the index's order."""
    if len(index) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    confirmed_since = rules.now_epoch - rules.confirmation_max_age_days * scoring.SECONDS_PER_DAY
    keep = (
        index.published
        & index.accepting
        & (index.licensed_until > rules.today_ordinal)
        & (index.confirmed >= confirmed_since)
    )
    distance = _distances(index, seeker)
    reachable = ~np.isnan(distance)
    if seeker.format_preference == "telehealth":
        keep &= index.telehealth
    elif seeker.format_preference == "in_person":
        keep &= reachable
    else:
        keep &= index.telehealth | reachable
    if seeker.language_required and seeker.languages:
        keep &= (index.languages & mask_of(seeker.languages, LANGUAGES)) != 0
    if seeker.gender_required and seeker.therapist_gender:
        wanted = (
            GENDERS.index(seeker.therapist_gender) if seeker.therapist_gender in GENDERS else -2
        )
        keep &= index.gender == wanted
    if seeker.hours_required and seeker.hours:
        keep &= (index.hours & mask_of(seeker.hours, HOURS)) != 0
    if seeker.avoid_fitness_evaluators:
        keep &= ~index.fitness_evaluator
    if seeker.avoid_preemployment_evaluators:
        keep &= ~index.preemployment_evaluator
    rows = np.flatnonzero(keep)
    payment = _payment_values(index, rows, seeker)
    if seeker.payment_required and seeker.payment_methods:
        can_pay = payment >= scoring.CAN_PAY_VALUE
        rows, payment = rows[can_pay], payment[can_pay]
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)

    weights = scoring.component_weights(seeker)
    ceiling = scoring.ceilings(seeker, rules)

    def calibrated(key: str, value: np.ndarray) -> np.ndarray:
        # As scoring.calibrate: a share of the best this responder's answers allow.
        if ceiling[key] <= 0:
            return value
        return np.minimum(1.0, value * (1 / ceiling[key]))

    competence = calibrated("competence", _competence(index, rows, seeker))
    alliance = calibrated("alliance", _alliance(index, rows, seeker))
    clinical = calibrated("clinical", _clinical(index, rows, seeker))
    practical = calibrated("practical", _practical(index, rows, seeker, distance[rows], payment))
    days = np.maximum(0.0, (rules.now_epoch - index.confirmed[rows]) / scoring.SECONDS_PER_DAY)
    fresh = 1 - np.minimum(days, scoring.FRESHNESS_DAYS_FULL) / scoring.FRESHNESS_DAYS_FULL
    f = scoring.RESPONSIVENESS_FACTORS
    responsiveness = calibrated(
        "responsiveness",
        f["answer_rate"] * index.rate[rows]
        + f["answer_speed"] * index.speed[rows]
        + f["freshness"] * fresh,
    )
    total = (
        weights["competence"] * competence
        + weights["alliance"] * alliance
        + weights["clinical"] * clinical
        + weights["practical"] * practical
        + weights["responsiveness"] * responsiveness
    )
    total = np.clip(total, 0.0, 100.0)
    return index.ids[rows], total


def _competence(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    weights = scoring.COMPETENCE_FACTORS
    retired = seeker.service_status == "retired"
    share = 1 - scoring.RETIRED_EXPERIENCE_SHARE if retired else 1.0
    if seeker.service and seeker.service != "other":
        bit = 1 << SERVICES.index(seeker.service)
        matched = (index.services[rows] & bit) != 0
        service = share * matched.astype(np.float64)
        depth = np.where(matched, 1.0, scoring.OTHER_SERVICE_DEPTH)
    else:
        service = share * index.service_count[rows]
        depth = np.ones(rows.size)
    years_caseload = index.competence_depth[rows]
    rest = index.competence_training_lived[rows]
    agency = index.agency_wary[rows] if seeker.avoids_evaluators else index.agency_all[rows]
    value = (
        depth * years_caseload[:, 0] + depth * years_caseload[:, 1] + weights["service"] * service
    )
    if retired:
        value = value + weights["service"] * (
            scoring.RETIRED_EXPERIENCE_SHARE * index.retired[rows].astype(np.float64)
        )
    return value + rest[:, 0] + agency + rest[:, 1]


def _alliance(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    weights = scoring.trait_weights(seeker)
    total = sum(weights.values())
    traits_weight = scoring.ALLIANCE_FACTORS["traits"]
    shares = np.array([traits_weight * weights[t] / total for t in scoring.TRAITS])
    traits = index.traits[rows]
    slot = index.service_slot[rows]
    measured = slot >= 0
    if seeker.service in SERVICES and measured.any():
        override = index.service_overrides[slot[measured], SERVICES.index(seeker.service)]
        traits = traits.copy()
        traits[measured] = np.where(np.isnan(override), traits[measured], override)
    return traits @ shares + scoring.ALLIANCE_FACTORS["style"] * _style(index, rows, seeker)


def _style(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    """scoring.style_fit for each row."""
    if not seeker.style:
        return np.full(rows.size, scoring.NEUTRAL)
    fits = np.zeros(rows.size)
    for dim, wanted in sorted(seeker.style.items()):
        j = STYLE.index(dim)
        low, high = index.style_low[rows, j], index.style_high[rows, j]
        distance = np.maximum(0.0, np.maximum(low - wanted, wanted - high))
        fits += np.maximum(0.0, 1 - distance / scoring.STYLE_DISTANCE_FULL)
    fit = fits / len(seeker.style)
    checkin = index.checkin_style[rows]
    rated = ~np.isnan(checkin)
    discount = 1 - scoring.STYLE_CHECKIN_WEIGHT * (1 - np.clip(np.nan_to_num(checkin), 0.0, 1.0))
    fit = np.where(rated, fit * discount, fit)
    described = ~np.isnan(index.style_low[rows, 0])
    return np.where(described, fit, scoring.NEUTRAL)


def _clinical(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    f = scoring.CLINICAL_FACTORS
    if seeker.concerns:
        wanted = mask_of(seeker.concerns, CONCERNS)
        concerns = _popcount(index.focus[rows] & wanted) / len(seeker.concerns)
    else:
        concerns = np.full(rows.size, scoring.NEUTRAL)
    trained, certified = index.trained[rows], index.certified[rows]
    if seeker.methods_wanted:
        wanted = mask_of(seeker.methods_wanted, METHODS)
        levels = _popcount(certified & wanted) + scoring.TRAINED_METHOD_VALUE * _popcount(
            trained & ~certified & wanted
        )
        methods = levels / len(seeker.methods_wanted)
    else:
        methods = np.full(rows.size, scoring.NEUTRAL)
    avoided_mask = mask_of(seeker.methods_avoided, METHODS)
    if seeker.concerns & scoring.TRAUMA_CONCERNS:
        offered = mask_of(scoring.TRAUMA_FOCUSED_METHODS, METHODS) & ~avoided_mask
        trauma = ((trained & offered) != 0).astype(np.float64)
    else:
        trauma = np.full(rows.size, scoring.NEUTRAL)
    avoided = np.minimum(_popcount(trained & avoided_mask), 2) / 2
    value = f["concerns"] * concerns + f["methods"] * methods + f["trauma_focused"] * trauma
    return value * (1 - scoring.AVOIDED_METHOD_PENALTY * avoided)


def _practical(
    index: StateIndex,
    rows: np.ndarray,
    seeker: Seeker,
    distance: np.ndarray,
    payment: np.ndarray,
) -> np.ndarray:
    f = scoring.PRACTICAL_FACTORS
    reschedules = index.reschedules[rows].astype(np.float64)
    if seeker.hours:
        share = _popcount(index.hours[rows] & mask_of(seeker.hours, HOURS)) / len(seeker.hours)
    else:
        share = np.full(rows.size, scoring.NEUTRAL)
    hours = np.minimum(1.0, share + scoring.RESCHEDULES_BONUS * reschedules)
    reachable = ~np.isnan(distance)
    near = np.where(
        reachable,
        1 - scoring.NEAREST_OFFICE_SHARE * np.nan_to_num(distance) / max(seeker.travel_miles, 1),
        0.0,
    )
    telehealth = index.telehealth[rows]
    if seeker.format_preference == "telehealth":
        format_value = telehealth.astype(np.float64)
    elif seeker.format_preference == "in_person":
        format_value = near
    else:
        format_value = np.maximum(
            np.where(telehealth, scoring.TELEHEALTH_FOR_EITHER_VALUE, 0.0), near
        )
    if seeker.languages:
        spoken = (index.languages[rows] & mask_of(seeker.languages, LANGUAGES)) != 0
        language = spoken.astype(np.float64)
    else:
        language = np.full(rows.size, scoring.NEUTRAL)
    if seeker.therapist_gender:
        wanted = (
            GENDERS.index(seeker.therapist_gender) if seeker.therapist_gender in GENDERS else -2
        )
        gender = (index.gender[rows] == wanted).astype(np.float64)
    else:
        gender = np.full(rows.size, scoring.NEUTRAL)
    return (
        f["hours"] * hours
        + f["format"] * format_value
        + f["payment"] * payment
        + f["language"] * language
        + f["gender"] * gender
    )
