"""The ranked list's fast path: the formulas of matching/scoring.py over numpy arrays.

One StateIndex holds every candidate of one state as columns. A request applies the hard
rules that depend on the responder or on the clock (format, distance, must-haves, license
expiry, confirmation age) as boolean masks, scores the rest, and orders them. Only the
therapists shown on the page are then scored again by scoring.score for their reasons.
tests/matching/test_ranking.py checks that both paths agree on random data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
MILES_PER_DEGREE_LATITUDE = 68.7  # the smallest, so the bounding box never cuts too much


def mask_of(values: frozenset[str] | set[str], order: Sequence[str]) -> int:
    """Bit mask of a set of values; a value's bit is its position in `order`."""
    return sum(1 << order.index(value) for value in values if value in order)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.float64)


@dataclass
class StateIndex:
    """Every candidate of one state, as columns."""

    candidates: list[Candidate]
    position: dict[int, int]
    ids: np.ndarray
    published: np.ndarray
    accepting: np.ndarray
    licensed_until: np.ndarray
    confirmed: np.ndarray
    competence_years_caseload: np.ndarray
    competence_training_agency_lived: np.ndarray
    services: np.ndarray
    service_count: np.ndarray
    traits: np.ndarray  # one column per trait, in scoring.TRAITS order
    # The same for responders of one service, where some therapist has enough check-ins
    # from that service; the other rows repeat `traits`.
    service_traits: dict[str, np.ndarray]
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
    evaluator: np.ndarray

    def __len__(self) -> int:
        return len(self.candidates)


def build_index(candidates: Sequence[Candidate]) -> StateIndex:
    """Turn candidates into columns; the parts of the score that never vary are summed here."""
    cands = list(candidates)
    weights = scoring.COMPETENCE_FACTORS

    def column(values: list, dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    years_caseload, training_agency_lived = [], []
    for c in cands:
        # The same factor values as scoring.competence, in the same order of addition.
        years = min(max(0, c.years_serving), scoring.YEARS_FULL) / scoring.YEARS_FULL
        caseload = (
            min(max(0, c.caseload_percent), scoring.CASELOAD_PERCENT_FULL)
            / scoring.CASELOAD_PERCENT_FULL
        )
        verified = len(c.verified_trainings)
        reported = len(c.self_reported_trainings - c.verified_trainings)
        training = min(
            1.0,
            scoring.VERIFIED_TRAINING_VALUE * verified
            + scoring.SELF_REPORTED_TRAINING_VALUE * reported,
        )
        ride = (
            min(max(0, c.ride_along_hours), scoring.RIDE_ALONG_HOURS_FULL)
            / scoring.RIDE_ALONG_HOURS_FULL
        )
        agency = max(1.0 if c.agency_work else 0.0, ride)
        lived = 1.0 if c.lived_experience else 0.0
        years_caseload.append(weights["years"] * years + weights["caseload"] * caseload)
        training_agency_lived.append(
            (weights["training"] * training, weights["agency"] * agency, weights["lived"] * lived)
        )
    return StateIndex(
        candidates=cands,
        position={c.therapist_id: i for i, c in enumerate(cands)},
        ids=column([c.therapist_id for c in cands], np.int64),
        published=column([c.published for c in cands], bool),
        accepting=column([c.accepting for c in cands], bool),
        licensed_until=column([c.licensed_until_ordinal for c in cands], np.int64),
        confirmed=column([c.confirmed_epoch for c in cands], np.float64),
        competence_years_caseload=column(years_caseload, np.float64),
        competence_training_agency_lived=np.array(training_agency_lived, dtype=np.float64).reshape(
            len(cands), 3
        ),
        services=column([mask_of(c.services, SERVICES) for c in cands], np.int64),
        service_count=column([min(len(c.services), 3) / 3 for c in cands], np.float64),
        traits=_trait_columns(cands),
        service_traits={
            service: _trait_columns(cands, service)
            for service in sorted({s for c in cands for s in c.checkins_by_service})
        },
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
        latitude=column(
            [np.nan if c.office_latitude is None else c.office_latitude for c in cands],
            np.float64,
        ),
        longitude=column(
            [np.nan if c.office_longitude is None else c.office_longitude for c in cands],
            np.float64,
        ),
        languages=column([mask_of(c.languages, LANGUAGES) for c in cands], np.int64),
        hours=column([mask_of(c.hours, HOURS) for c in cands], np.int64),
        reschedules=column([c.reschedules_around_shifts for c in cands], bool),
        payments=column([mask_of(c.payment_methods, PAYMENTS) for c in cands], np.int64),
        carriers=column([mask_of(c.insurance_carriers, CARRIERS) for c in cands], np.int64),
        fee_min=column(
            [np.nan if c.fee_min_dollars is None else c.fee_min_dollars for c in cands],
            np.float64,
        ),
        sliding=column([c.sliding_scale for c in cands], bool),
        gender=column(
            [GENDERS.index(c.gender) if c.gender in GENDERS else -1 for c in cands], np.int64
        ),
        rate=column([scoring.answer_rate(c) for c in cands], np.float64),
        speed=column([scoring.answer_speed(c) for c in cands], np.float64),
        evaluator=column([bool(c.agency_evaluations) for c in cands], bool),
    )


def _trait_columns(cands: list[Candidate], service: str = "") -> np.ndarray:
    return np.array(
        [[scoring.trait_value(c, t, service) for t in scoring.TRAITS] for c in cands],
        dtype=np.float64,
    ).reshape(len(cands), len(scoring.TRAITS))


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
    """Ids of the eligible candidates, best first (ties by lowest id), and their scores."""
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
    if seeker.avoid_agency_evaluators:
        keep &= ~index.evaluator
    rows = np.flatnonzero(keep)
    payment = _payment_values(index, rows, seeker)
    if seeker.payment_required and seeker.payment_methods:
        can_pay = payment >= scoring.CAN_PAY_VALUE
        rows, payment = rows[can_pay], payment[can_pay]
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)

    weights = scoring.component_weights(seeker)
    competence = _competence(index, rows, seeker)
    alliance = _alliance(index, rows, seeker)
    clinical = _clinical(index, rows, seeker)
    practical = _practical(index, rows, seeker, distance[rows], payment)
    days = np.maximum(0.0, (rules.now_epoch - index.confirmed[rows]) / scoring.SECONDS_PER_DAY)
    fresh = 1 - np.minimum(days, scoring.FRESHNESS_DAYS_FULL) / scoring.FRESHNESS_DAYS_FULL
    f = scoring.RESPONSIVENESS_FACTORS
    responsiveness = (
        f["answer_rate"] * index.rate[rows]
        + f["answer_speed"] * index.speed[rows]
        + f["freshness"] * fresh
    )
    total = (
        weights["competence"] * competence
        + weights["alliance"] * alliance
        + weights["clinical"] * clinical
        + weights["practical"] * practical
        + weights["responsiveness"] * responsiveness
    )
    total = np.clip(total, 0.0, 100.0)
    ids = index.ids[rows]
    order = np.lexsort((ids, -total))
    return ids[order], total[order]


def _competence(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    weights = scoring.COMPETENCE_FACTORS
    if seeker.service and seeker.service != "other":
        bit = 1 << SERVICES.index(seeker.service)
        service = ((index.services[rows] & bit) != 0).astype(np.float64)
    else:
        service = index.service_count[rows]
    rest = index.competence_training_agency_lived[rows]
    return (
        index.competence_years_caseload[rows]
        + weights["service"] * service
        + rest[:, 0]
        + rest[:, 1]
        + rest[:, 2]
    )


def _alliance(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    weights = scoring.trait_weights(seeker)
    total = sum(weights.values())
    shares = np.array([weights[t] / total for t in scoring.TRAITS])
    traits = index.service_traits.get(seeker.service, index.traits)
    return traits[rows] @ shares


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
