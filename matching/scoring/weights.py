"""Every weight and threshold of the score, named once.

The per-therapist scorer (components.py) and the ranked list's columns
(matching/ranking/) both read these through the factor functions (factors.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from profiles.vocabulary import IMPORTANCE_DEFAULT, IMPORTANCE_MAX, RESPONDER_CULTURE, TRAITS

# Kept with every intro request's snapshot of its score (matching.IntroSnapshot): change it
# in the same commit as any weight, threshold or formula that changes what a score means
# (the measured alliance's estimate included), so the staff report never mixes scores
# made by two different rankings without saying so.
# 2026.11-1: weights 30 / 25 / 20 / 15 / 10; the alliance shrunk with a fixed prior.
# 2026.12-1: the alliance the largest component (30, competence 25); each responder counted
# once, the prior's strength estimated from the data, an unmeasured therapist at the
# population's value, "the way we work fits me" moving the stated style both ways.
# 2026.12-2: practices move a trait by at most 0.02 either way (was 0.05); the prior's
# strength from a therapist share weighed against the default's.
# 2026.12-3: the list's order knows each therapist's load (requests waiting against their
# openings): one near their limit sits a little lower, one at it is not listed; the score
# itself is unchanged.
SCORING_VERSION = "2026.12-3"

# 1. The components and their base weights (points out of 100 at default importance).
# The alliance is the largest: it predicts how therapy goes better than technique does, so
# it comes first unless a responder says it matters less to them (templates/matching/
# how_we_rank.html gives the reasoning).
COMPONENT_WEIGHTS: dict[str, float] = {
    "competence": 25.0,
    "alliance": 30.0,
    "clinical": 20.0,
    "practical": 15.0,
    "responsiveness": 10.0,
}
COMPONENTS = tuple(COMPONENT_WEIGHTS)

# Factors inside each component; each component's factor weights sum to 1.
COMPETENCE_FACTORS = {
    "years": 0.20,
    "caseload": 0.10,
    "service": 0.35,
    "training": 0.15,
    "agency": 0.10,
    "lived": 0.10,
}
# The alliance: the four traits (practices, or check-ins once there are enough) and the fit
# between how the responder wants to work and how the therapist works.
ALLIANCE_FACTORS = {"traits": 0.6, "style": 0.4}
CLINICAL_FACTORS = {"concerns": 0.50, "methods": 0.35, "trauma_focused": 0.15}
PRACTICAL_FACTORS = {
    "hours": 0.30,
    "format": 0.25,
    "payment": 0.20,
    "language": 0.15,
    "gender": 0.10,
}
RESPONSIVENESS_FACTORS = {"answer_rate": 0.50, "answer_speed": 0.30, "freshness": 0.20}

# A question the responder left unanswered gives every therapist this value.
NEUTRAL = 0.5

# Competence: where each factor reaches its full value.
YEARS_FULL = 15
CASELOAD_PERCENT_FULL = 60
RIDE_ALONG_HOURS_FULL = 40
SERVICES_FULL = 3  # services served, for a responder who named none
# Years and caseload with other services count for this share of the same with yours.
OTHER_SERVICE_DEPTH = 0.5
RETIRED_EXPERIENCE_SHARE = 0.25  # of the service factor, for a retired responder
# How specific to responders each kind of training is; only verified trainings count.
TRAINING_KIND_VALUES = {
    "certification": 1.0,
    "critical_incident": 0.7,
    "ride_along": 0.5,
    "cultural_course": 0.4,
    "other": 0.25,
}
EXTRA_TRAINING_VALUE = 0.15  # each further verified training, on top of the best one

# Alliance: practices named for a trait, at which the practices' share reaches its full value.
PRACTICES_PER_TRAIT_FULL = 2
# A trait starts at the therapist's measured value, or the population's when unmeasured
# (what a responder can expect of anyone); the practices the therapist names move it by at
# most half this, either way: what a therapist says of themselves counts for little beside
# what responders say. A list of practices predicts the alliance weakly, so it should
# mostly order therapists nobody has measured yet and break near-ties: half of it (0.02) is
# about the spread of therapists' measured values once shrunk, or less (0.018 to 0.063 in
# the simulated world; README, "Does the ranking work?").
PRACTICE_NUDGE = 0.04
# A trait's value when nothing at all is known (no population yet).
UNMEASURED_TRAIT_VALUE = 0.5
# "The way we work fits me": a measured value above the population's adds to the stated
# style's fit, one below takes away, at this weight (1: a fit measured near 0 cancels a
# stated match down to about neutral).
FIT_MEASURE_WEIGHT = 1.0
# Below the population's fit value by more than this, a card says responders rate the fit
# lower, beside any "Works the way you asked".
FIT_LOW_MARGIN = 0.05
# Working style: points outside a therapist's range at which the fit reaches 0.
STYLE_DISTANCE_FULL = 3

# Clinical fit.
TRAINED_METHOD_VALUE = 0.7  # a wanted method trained in, against certified in (1)
AVOIDED_METHOD_PENALTY = 0.25  # the share of the component lost at AVOIDED_METHODS_FULL
AVOIDED_METHODS_FULL = 2

# Practical fit.
RESCHEDULES_BONUS = 0.25
TELEHEALTH_FOR_EITHER_VALUE = 0.8  # telehealth, for a responder happy with either format
NEAREST_OFFICE_SHARE = 0.5  # an office at the travel limit keeps this share of the value
# Payment: one of the responder's ways, fully or as a near miss.
PAID_VALUE = 1.0
OUT_OF_NETWORK_VALUE = 0.3  # takes insurance, not the responder's carrier
FEE_UNLISTED_VALUE = 0.8  # takes self-pay, fee not given
SLIDING_SCALE_VALUE = 0.7  # fee above the budget, with a sliding scale
OVER_BUDGET_VALUE = 0.3
# At or above this payment value the responder can pay (a sliding scale counts).
CAN_PAY_VALUE = SLIDING_SCALE_VALUE

# Responsiveness: a beta prior on the answer rate. A therapist with no requests yet sits at
# 0.6, between good and poor answerers, and each answered or expired request moves them.
ANSWER_RATE_PRIOR = 0.6
ANSWER_RATE_PRIOR_WEIGHT = 4
ANSWER_HOURS_FULL = 72
FRESHNESS_DAYS_FULL = 45

# Capacity. A therapist may hold PENDING_REQUESTS_PER_OPENING (a setting) requests waiting
# for their answer per opening left; their load is the requests waiting over that most, 1
# (or more) when they hold as many as they may, or have no opening left. Below this load a
# therapist has room: the order leaves them exactly where their score puts them, so it
# never reorders two therapists who both have room.
ROOM_LOAD_SHARE = 0.5
# From ROOM_LOAD_SHARE to a full load, the value the list is ordered by falls linearly from
# the whole score to this share of it: a therapist near their limit sits a little lower
# (at 0.85, a score of 80 orders like 68 when full), so responders spread over therapists
# who can answer. At a full load a therapist takes no request and is not listed at all.
FULL_LOAD_ORDER_SHARE = 0.85

SECONDS_PER_DAY = 86_400.0
EARTH_RADIUS_MILES = 3958.8

# Exact ties are ordered by a shuffle of therapist ids seeded by the responder.
TIE_MULTIPLIER = 0x9E3779B97F4A7C15


def importance_multiplier(importance: float) -> float:
    """Scale a component by how much it matters: 1/3 (not at all) to 4/3 (most)."""
    return (1 + max(0, min(IMPORTANCE_MAX, importance))) / 3


def component_weights(importance: Mapping[str, int]) -> dict[str, float]:
    """The components' weights for a responder's importance answers, scaled to sum to 100.

    "Understands responder culture" scales first-responder competence, and the mean of the
    four traits' importance scales the alliance.
    """
    culture = importance.get(RESPONDER_CULTURE, IMPORTANCE_DEFAULT)
    alliance = sum(importance.get(t, IMPORTANCE_DEFAULT) for t in TRAITS) / len(TRAITS)
    raw = dict(COMPONENT_WEIGHTS)
    raw["competence"] *= importance_multiplier(culture)
    raw["alliance"] *= importance_multiplier(alliance)
    total = sum(raw.values())
    return {key: 100.0 * weight / total for key, weight in raw.items()}


def trait_shares(importance: Mapping[str, int]) -> dict[str, float]:
    """Each trait's share of the alliance component for this responder (they sum to the
    traits factor); equal when every trait was marked as not mattering."""
    weights = {t: float(max(0, importance.get(t, IMPORTANCE_DEFAULT))) for t in TRAITS}
    if sum(weights.values()) == 0:
        weights = dict.fromkeys(TRAITS, 1.0)
    total = sum(weights.values())
    return {t: ALLIANCE_FACTORS["traits"] * weights[t] / total for t in TRAITS}
