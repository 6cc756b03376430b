"""Each factor of the score, written once for one therapist and for whole columns alike.

Every function here takes plain numbers (one therapist, in the per-therapist scorer of
components.py) or numpy arrays (every candidate of a state, in matching/ranking/), through
the elementwise operations of elementwise.py, so each formula is written once and a card's
score stays cheap.
Where a factor depends on what the responder said, the responder's side comes as plain
arguments and the therapist's side as a number or a column. A missing number is NaN (an
office with no location, a fee not given, no measure yet).
"""

from __future__ import annotations

import math

import numpy as np

from matching.scoring import elementwise as el
from matching.scoring import weights as w
from profiles.vocabulary import TRAINING_KINDS

# The value of each training kind, in the vocabulary's (and the stored bits') order.
KIND_VALUES = tuple(w.TRAINING_KIND_VALUES.get(kind, 0.0) for kind in TRAINING_KINDS)
_KIND_VALUES_ARRAY = np.array(KIND_VALUES)


def capped_share(amount, full: float):
    """How far `amount` goes toward `full`: 0 to 1 (years, caseload, ride-along hours)."""
    return el.minimum(el.maximum(0, amount), full) / full


# First-responder competence.


def service_depth(serves_their_service, service_named: bool):
    """How much years and caseload count: fully with the responder's own service (or when
    they named none), OTHER_SERVICE_DEPTH with other services only."""
    if not service_named:
        return el.constant(serves_their_service, 1.0)
    return el.where(serves_their_service, 1.0, w.OTHER_SERVICE_DEPTH)


def served_value(serves_their_service, services_served, *, service_named: bool, retired: bool):
    """Their service served (or, when the responder named none, how many services), less the
    share a retired responder's score moves to work with retired responders."""
    share = 1 - w.RETIRED_EXPERIENCE_SHARE if retired else 1.0
    if service_named:
        return share * el.as_float(serves_their_service)
    return share * el.minimum(services_served, w.SERVICES_FULL) / w.SERVICES_FULL


def retired_value(works_with_retired):
    """For a retired responder: the service factor's share for work with retired responders."""
    return w.RETIRED_EXPERIENCE_SHARE * el.as_float(works_with_retired)


def service_value(
    serves_their_service, services_served, works_with_retired, *, service_named: bool,
    retired: bool,
):  # fmt: skip
    """The whole service factor."""
    value = served_value(
        serves_their_service, services_served, service_named=service_named, retired=retired
    )
    return value + retired_value(works_with_retired) if retired else value


def training_value(kinds):
    """The most responder-specific verified training, plus a little for each further one.

    `kinds` holds 0 or 1 per training kind, in TRAINING_KINDS order: a sequence for one
    therapist, or an array with one row per therapist.
    """
    if el.arrays(kinds):
        best = (kinds * _KIND_VALUES_ARRAY).max(axis=-1, initial=0.0)
        count = kinds.sum(axis=-1)
    else:
        best = max((k * v for k, v in zip(kinds, KIND_VALUES, strict=True)), default=0.0)
        count = sum(kinds)
    value = el.minimum(1.0, best + w.EXTRA_TRAINING_VALUE * el.maximum(count - 1, 0))
    return el.where(count > 0, value, 0.0)


def agency_value(counted_agency_work, ride_along_hours):
    """Agency work that counts for this responder, or ride-along hours toward their full."""
    return el.maximum(
        el.as_float(counted_agency_work), capped_share(ride_along_hours, w.RIDE_ALONG_HOURS_FULL)
    )


# The alliance.


def practices_value(practices_named):
    """The practices a therapist names for a trait: 0 to 1, full at PRACTICES_PER_TRAIT_FULL."""
    return el.minimum(practices_named, w.PRACTICES_PER_TRAIT_FULL) / w.PRACTICES_PER_TRAIT_FULL


def trait_value(measured, practices_named, baseline):
    """One alliance trait: measured from check-ins where there are enough (not NaN), else the
    population's value (`baseline`), moved a little by the practices the therapist names.

    Being measured at the population's value changes nothing; statements earn nothing by
    themselves (every listed therapist has one).
    """
    start = el.where(el.isnan(measured), baseline, el.clip(measured, 0.0, 1.0))
    nudge = w.PRACTICE_NUDGE * (practices_value(practices_named) - 0.5)
    return el.clip(start + nudge, 0.0, 1.0)


def style_dimension_fit(wanted: int, low, high):
    """1 inside the therapist's range on one scale, less the further outside it."""
    distance = el.maximum(0.0, el.maximum(low - wanted, wanted - high))
    return el.maximum(0.0, 1 - distance / w.STYLE_DISTANCE_FULL)


def fit_measured_shift(checkin_fit, baseline_fit):
    """How far responders' "the way we work fits me" sits from the population's: 0 where
    not measured (NaN)."""
    return el.where(el.isnan(checkin_fit), 0.0, el.nan_to_zero(checkin_fit) - baseline_fit)


def style_value(fit, checkin_fit, baseline_fit):
    """The stated style's fit (or neutral), moved both ways by what responders say of the
    fit: a high measure strengthens it, a low one cancels it."""
    shift = w.FIT_MEASURE_WEIGHT * fit_measured_shift(checkin_fit, baseline_fit)
    return el.clip(fit + shift, 0.0, 1.0)


# Clinical fit.


def methods_value(certified, trained_only, wanted: int):
    """Wanted methods certified in (full) or trained in (TRAINED_METHOD_VALUE), as a share."""
    return (certified + w.TRAINED_METHOD_VALUE * trained_only) / wanted


def avoided_discount(avoided_trained):
    """The share of the clinical component kept when the therapist works with methods the
    responder would rather avoid."""
    share = el.minimum(avoided_trained, w.AVOIDED_METHODS_FULL) / w.AVOIDED_METHODS_FULL
    return 1 - w.AVOIDED_METHOD_PENALTY * share


# Practical fit.


def hours_value(share, reschedules_around_shifts):
    """The share of the responder's hours offered, plus a bonus for rescheduling."""
    return el.minimum(1.0, share + w.RESCHEDULES_BONUS * reschedules_around_shifts)


def distance_miles(lat1, lon1, lat2, lon2):
    """Great-circle distance between points (haversine)."""
    m = np if el.arrays(lat1, lon1, lat2, lon2) else math
    phi1, phi2 = m.radians(lat1), m.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, m.radians(lon2 - lon1)
    a = m.sin(d_phi / 2) ** 2 + m.cos(phi1) * m.cos(phi2) * m.sin(d_lambda / 2) ** 2
    arcsin = np.arcsin if m is np else math.asin
    return 2 * w.EARTH_RADIUS_MILES * arcsin(el.minimum(1.0, m.sqrt(a)))


def format_value(format_preference: str, travel_miles: int, distance, telehealth):
    """Telehealth where wanted, or an office the closer the better within the travel limit.

    `distance` is NaN where no office is within reach.
    """
    near = el.where(
        el.isnan(distance),
        0.0,
        1 - w.NEAREST_OFFICE_SHARE * el.nan_to_zero(distance) / max(travel_miles, 1),
    )
    if format_preference == "telehealth":
        return el.as_float(telehealth)
    if format_preference == "in_person":
        return near
    return el.maximum(el.where(telehealth, w.TELEHEALTH_FOR_EITHER_VALUE, 0.0), near)


def insurance_value(carrier_named: bool, in_network):
    """Insurance taken: in the responder's network (or any, when they named no carrier)."""
    if not carrier_named:
        return el.constant(in_network, w.PAID_VALUE)
    return el.where(in_network, w.PAID_VALUE, w.OUT_OF_NETWORK_VALUE)


def self_pay_value(budget_dollars: int | None, fee_min, sliding_scale):
    """Self-pay taken: within the budget, or a near miss (fee unknown, a sliding scale)."""
    if budget_dollars is None:
        return el.constant(fee_min, w.PAID_VALUE)
    unknown = el.isnan(fee_min)
    within = el.nan_to_zero(fee_min) <= budget_dollars
    over = el.where(sliding_scale, w.SLIDING_SCALE_VALUE, w.OVER_BUDGET_VALUE)
    return el.where(unknown, w.FEE_UNLISTED_VALUE, el.where(within, w.PAID_VALUE, over))


def matched_value(asked: bool, matched):
    """A yes-or-no preference (a language, a gender): 1 or 0, neutral when not asked."""
    if not asked:
        return el.constant(matched, w.NEUTRAL)
    return el.as_float(matched)


# Responsiveness.


def answer_rate(received, answered):
    """The share of intro requests answered, shrunk toward a prior while history is short."""
    received = el.maximum(0, received)
    answered = el.maximum(0, el.minimum(answered, received))
    return (answered + w.ANSWER_RATE_PRIOR_WEIGHT * w.ANSWER_RATE_PRIOR) / (
        received + w.ANSWER_RATE_PRIOR_WEIGHT
    )


def answer_speed(received, answered, median_answer_hours):
    """How soon an answer can be expected: the speed of answers, times the chance of one.

    A therapist who answers fast but rarely is not a fast answerer. NaN hours: no history.
    """
    hours = el.minimum(el.maximum(0.0, el.nan_to_zero(median_answer_hours)), w.ANSWER_HOURS_FULL)
    speed = el.where(
        el.isnan(median_answer_hours) | (answered <= 0),
        w.NEUTRAL,
        1 - hours / w.ANSWER_HOURS_FULL,
    )
    return answer_rate(received, answered) * speed


def days_since(now_epoch: float, epoch):
    return el.maximum(0.0, (now_epoch - epoch) / w.SECONDS_PER_DAY)


def freshness(days_since_confirmed):
    """1 when confirmed today, 0 at FRESHNESS_DAYS_FULL days."""
    return 1 - el.minimum(days_since_confirmed, w.FRESHNESS_DAYS_FULL) / w.FRESHNESS_DAYS_FULL


# Capacity: requests waiting against the openings left.


def request_load(pending_requests, open_slots, per_opening: int):
    """The requests waiting for a therapist's answer over the most they may hold
    (`per_opening` for each opening left): 0 with none waiting, 1 or more when they hold as
    many as they may; infinite with no opening left."""
    most = open_slots * per_opening
    return el.where(most > 0, pending_requests / el.maximum(most, 1), math.inf)


def has_room(load):
    """Room for new clients: load below ROOM_LOAD_SHARE. Cards say "Has room for new
    clients", and the order leaves such a therapist where their score puts them."""
    return load < w.ROOM_LOAD_SHARE


def takes_requests(load):
    """Whether a therapist may be asked now: fewer requests waiting than they may hold."""
    return load < 1.0


def load_order_share(load):
    """The share of the score the list orders a therapist by: 1 while they have room, then
    falling linearly to FULL_LOAD_ORDER_SHARE at a full load."""
    over = el.clip((load - w.ROOM_LOAD_SHARE) / (1.0 - w.ROOM_LOAD_SHARE), 0.0, 1.0)
    return 1.0 - (1.0 - w.FULL_LOAD_ORDER_SHARE) * over


# The total.


def calibrated(value, ceiling: float):
    """A component's value as a share of the best this responder's answers allow."""
    if ceiling <= 0:
        return value
    return el.minimum(1.0, value * (1 / ceiling))


def total(points):
    """The sum of the components' points, kept within 0 to 100."""
    return el.clip(sum(points), 0.0, 100.0)


def tie_order(seed: int, ids):
    """A shuffle of therapist ids for one responder, used only to order exact ties (uint64
    arithmetic wraps)."""
    with np.errstate(over="ignore"):
        return (np.asarray(ids).astype(np.uint64) ^ np.uint64(seed)) * np.uint64(w.TIE_MULTIPLIER)
