"""The ranked list's kernels: one responder's scores for every candidate of a state at once.

A request applies the hard rules that depend on the responder or on the clock (format,
distance, musts, license expiry, confirmation age) and capacity (requests waiting against
openings) as boolean masks over the state's columns (columns.StateIndex), scores the rest
with the factor functions the per-therapist scorer uses (matching/scoring/factors.py), and
orders them by the score times the load's share (factors.load_order_share). Only the
therapists shown on the page are then scored again one by one, for their reasons.
tests/matching/test_ranking.py checks that both paths agree on random data.
"""

from __future__ import annotations

import numpy as np

from matching.ranking.columns import StateIndex, popcount
from matching.scoring import factors
from matching.scoring import weights as w
from matching.scoring.calibration import ceilings
from matching.scoring.eligibility import (
    format_ok,
    listed_now,
    must_haves_ok,
    payment_ok,
    payment_value,
    takes_requests_now,
)
from matching.scoring.types import Rules, Seeker
from profiles.vocabulary import (
    CONCERNS,
    GENDERS,
    HOURS,
    INSURANCE_CARRIERS,
    LANGUAGES,
    METHODS,
    PAYMENTS,
    SERVICES,
    STYLE_DIMENSIONS,
    TRAITS,
    TRAUMA_CONCERNS,
    TRAUMA_FOCUSED_METHODS,
    bit_mask,
)

MILES_PER_DEGREE_LATITUDE = 68.7  # the smallest, so the bounding box never cuts too much


def gender_code(gender: str) -> int:
    """A gender's position in GENDERS (-1 for none); -2 for a wanted one that no row holds."""
    return GENDERS.index(gender) if gender in GENDERS else -2


def _distances(index: StateIndex, seeker: Seeker) -> np.ndarray:
    """Miles to each reachable office; NaN for offices outside the travel limit or unknown.

    A bounding box first keeps the exact distance to the few offices near enough.
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
    miles = factors.distance_miles(
        seeker.latitude, seeker.longitude, index.latitude[rows], index.longitude[rows]
    )
    within = miles <= travel
    result[rows[within]] = miles[within]
    return result


def _payment_values(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    payments = index.payments[rows]
    carrier = seeker.insurance_carrier
    in_network = (
        (index.carriers[rows] & bit_mask([carrier], INSURANCE_CARRIERS)) != 0
        if carrier in INSURANCE_CARRIERS
        else np.zeros(rows.size, dtype=bool)
    )
    return np.asarray(
        payment_value(
            seeker,
            offers=lambda method: (payments & (1 << PAYMENTS.index(method))) != 0,
            in_network=in_network,
            fee_min=index.fee_min[rows],
            sliding_scale=index.sliding[rows],
        ),
        dtype=np.float64,
    ).reshape(rows.size)


def rank_top(
    index: StateIndex,
    seeker: Seeker,
    rules: Rules,
    *,
    count: int,
    exclude: frozenset[int] = frozenset(),
) -> tuple[np.ndarray, np.ndarray, int]:
    """The best `count` eligible candidates who may be asked now (highest order value first:
    the score, a little less near a therapist's limit; exact ties shuffled for this
    responder), their scores, and how many are eligible in all.

    Only those that can reach the top are sorted: at 70,000 candidates, sorting them all
    cost more than scoring them.
    """
    ids, total, value = scored(index, seeker, rules)
    if exclude:
        kept = ~np.isin(ids, list(exclude))
        ids, total, value = ids[kept], total[kept], value[kept]
    eligible = len(ids)
    if 0 < count < eligible:
        # Everyone ordered at least as high as the count-th best, ties included, then exact
        # order.
        threshold = np.partition(value, eligible - count)[eligible - count]
        near = np.flatnonzero(value >= threshold)
        ids, total, value = ids[near], total[near], value[near]
    order = np.lexsort((factors.tie_order(seeker.tie_seed, ids), -value))[:count]
    return ids[order], total[order], eligible


def _eligible_rows(
    index: StateIndex, seeker: Seeker, rules: Rules
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the candidates this responder may see and ask now, with the miles to each
    office (NaN: none within reach) and the payment value."""
    distance = _distances(index, seeker)
    keep = listed_now(
        published=index.published,
        accepting=index.accepting,
        licensed_until_ordinal=index.licensed_until,
        confirmed_epoch=index.confirmed,
        rules=rules,
    )
    keep &= takes_requests_now(
        pending_requests=index.pending_requests, open_slots=index.open_slots, rules=rules
    )
    keep &= format_ok(
        seeker.format_preference, telehealth=index.telehealth, reachable=~np.isnan(distance)
    )
    keep = must_haves_ok(
        seeker,
        keep,
        speaks=lambda: (index.languages & bit_mask(seeker.languages, LANGUAGES)) != 0,
        gender_matches=lambda: index.gender == gender_code(seeker.therapist_gender),
        offers_hours=lambda: (index.hours & bit_mask(seeker.hours, HOURS)) != 0,
        fitness_evaluator=lambda: index.fitness_evaluator,
        preemployment_evaluator=lambda: index.preemployment_evaluator,
    )
    rows = np.flatnonzero(keep)
    payment = _payment_values(index, rows, seeker)
    can_pay = payment_ok(seeker, payment)
    return rows[can_pay], distance, payment[can_pay]


def _load(index: StateIndex, rows: np.ndarray, rules: Rules) -> np.ndarray:
    return factors.request_load(
        index.pending_requests[rows], index.open_slots[rows], rules.pending_requests_per_opening
    )


def any_with_room(index: StateIndex, seeker: Seeker, rules: Rules) -> bool:
    """Whether any therapist on this responder's list has room (staff see where none did)."""
    if len(index) == 0:
        return False
    rows, _, _ = _eligible_rows(index, seeker, rules)
    return bool(factors.has_room(_load(index, rows, rules)).any())


def scored(
    index: StateIndex, seeker: Seeker, rules: Rules
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids of the eligible candidates who may be asked now, their scores, and the values the
    list is ordered by, in the index's order."""
    if len(index) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    rows, distance, payment = _eligible_rows(index, seeker, rules)
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)

    weights = w.component_weights(seeker.importance)
    ceiling = ceilings(seeker, rules)
    days = factors.days_since(rules.now_epoch, index.confirmed[rows])
    f = w.RESPONSIVENESS_FACTORS
    responsiveness = (
        f["answer_rate"] * index.rate[rows]
        + f["answer_speed"] * index.speed[rows]
        + f["freshness"] * factors.freshness(days)
    )
    values = {
        "competence": _competence(index, rows, seeker),
        "alliance": _alliance(index, rows, seeker),
        "clinical": _clinical(index, rows, seeker),
        "practical": _practical(index, rows, seeker, distance[rows], payment),
        "responsiveness": responsiveness,
    }
    total = factors.total(
        weights[key] * factors.calibrated(values[key], ceiling[key]) for key in w.COMPONENTS
    )
    return index.ids[rows], total, total * factors.load_order_share(_load(index, rows, rules))


def _competence(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    f = w.COMPETENCE_FACTORS
    retired = seeker.service_status == "retired"
    if seeker.service_named:
        serves = (index.services[rows] & (1 << SERVICES.index(seeker.service))) != 0
    else:
        serves = np.zeros(rows.size, dtype=bool)
    depth = factors.service_depth(serves, seeker.service_named)
    service = factors.service_value(
        serves,
        index.service_count[rows],
        index.works_with_retired[rows],
        service_named=seeker.service_named,
        retired=retired,
    )
    years_caseload = index.competence_depth[rows]
    rest = index.competence_training_lived[rows]
    agency = index.agency_wary[rows] if seeker.avoids_evaluators else index.agency_all[rows]
    value = depth * years_caseload[:, 0] + depth * years_caseload[:, 1] + f["service"] * service
    return value + rest[:, 0] + agency + rest[:, 1]


def _alliance(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    trait_shares = w.trait_shares(seeker.importance)
    shares = np.array([trait_shares[t] for t in TRAITS])
    traits = index.traits[rows]
    slot = index.service_slot[rows]
    measured = slot >= 0
    if seeker.service in SERVICES and measured.any():
        # Measured for this responder's service: that figure's traits instead.
        override = index.service_overrides[slot[measured], SERVICES.index(seeker.service)]
        at = rows[measured]
        by_service = factors.trait_value(
            override, index.practices[at], index.baseline[at, : len(TRAITS)]
        )
        traits = traits.copy()
        traits[measured] = np.where(np.isnan(override), traits[measured], by_service)
    return traits @ shares + w.ALLIANCE_FACTORS["style"] * _style(index, rows, seeker)


def _style(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    if seeker.style:
        fits = np.zeros(rows.size)
        for dim, wanted in sorted(seeker.style.items()):
            j = STYLE_DIMENSIONS.index(dim)
            fits += factors.style_dimension_fit(
                wanted, index.style_low[rows, j], index.style_high[rows, j]
            )
        described = ~np.isnan(index.style_low[rows, 0])
        stated = np.where(described, fits / len(seeker.style), w.NEUTRAL)
    else:
        stated = np.full(rows.size, w.NEUTRAL)
    return factors.style_value(stated, index.checkin_style[rows], index.baseline[rows, len(TRAITS)])


def _clinical(index: StateIndex, rows: np.ndarray, seeker: Seeker) -> np.ndarray:
    f = w.CLINICAL_FACTORS
    if seeker.concerns:
        wanted = bit_mask(seeker.concerns, CONCERNS)
        concerns = popcount(index.focus[rows] & wanted) / len(seeker.concerns)
    else:
        concerns = np.full(rows.size, w.NEUTRAL)
    trained, certified = index.trained[rows], index.certified[rows]
    if seeker.methods_wanted:
        wanted = bit_mask(seeker.methods_wanted, METHODS)
        methods = factors.methods_value(
            popcount(certified & wanted),
            popcount(trained & ~certified & wanted),
            len(seeker.methods_wanted),
        )
    else:
        methods = np.full(rows.size, w.NEUTRAL)
    avoided_mask = bit_mask(seeker.methods_avoided, METHODS)
    if seeker.concerns & TRAUMA_CONCERNS:
        offered = bit_mask(TRAUMA_FOCUSED_METHODS, METHODS) & ~avoided_mask
        trauma = ((trained & offered) != 0).astype(np.float64)
    else:
        trauma = np.full(rows.size, w.NEUTRAL)
    value = f["concerns"] * concerns + f["methods"] * methods + f["trauma_focused"] * trauma
    return value * factors.avoided_discount(popcount(trained & avoided_mask))


def _practical(
    index: StateIndex,
    rows: np.ndarray,
    seeker: Seeker,
    distance: np.ndarray,
    payment: np.ndarray,
) -> np.ndarray:
    f = w.PRACTICAL_FACTORS
    if seeker.hours:
        share = popcount(index.hours[rows] & bit_mask(seeker.hours, HOURS)) / len(seeker.hours)
    else:
        share = np.full(rows.size, w.NEUTRAL)
    hours = factors.hours_value(share, index.reschedules[rows].astype(np.float64))
    format_value = factors.format_value(
        seeker.format_preference, seeker.travel_miles, distance, index.telehealth[rows]
    )
    language = factors.matched_value(
        bool(seeker.languages),
        (index.languages[rows] & bit_mask(seeker.languages, LANGUAGES)) != 0,
    )
    gender = factors.matched_value(
        bool(seeker.therapist_gender), index.gender[rows] == gender_code(seeker.therapist_gender)
    )
    return (
        f["hours"] * hours
        + f["format"] * format_value
        + f["payment"] * payment
        + f["language"] * language
        + f["gender"] * gender
    )
