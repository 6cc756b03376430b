"""Rank therapists for one responder: a score from 0 to 100, with the reasons for it.

Pure Python with no Django import, so the rules can be read, tested and reasoned about on
their own. The ranked list runs a vectorised copy of these formulas (matching/ranking.py);
tests check that both give the same scores and the same order.

How a score is made:
1. Each of five components gives a value from 0 to 1, itself a weighted sum of factors.
   A question the responder left unanswered gives every therapist the same neutral value,
   so it changes no one's place.
2. Each component has a base weight (COMPONENT_WEIGHTS, out of 100). What the responder
   said matters most scales two of them: "understands responder culture" scales
   first-responder competence, and the four alliance traits scale the alliance.
3. Each component's value is divided by the value a therapist who fits every answer
   would get (the ceiling, from an ideal candidate for this responder), so unanswered
   questions, which give everyone the same neutral value, cap no one: a therapist who fits
   everything the responder said scores near 100.
4. The score is the sum of the components' points (weight times calibrated value).
5. Exact ties are broken by a shuffle seeded by the responder (tie_order): stable for one
   responder, different between responders, and never by account age.

Nobody can pay for a place: nothing about money enters the score except whether the
responder can pay the therapist the way they said.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from matching.reason_words import (
    AGENCY_WORDS,
    CARRIER_WORDS,
    CONCERN_WORDS,
    GENDER_WORDS,
    HOURS_WORDS,
    LANGUAGE_WORDS,
    LIVED_WORDS,
    METHOD_WORDS,
    PAYMENT_WORDS,
    PRACTICE_TRAIT,
    PRACTICE_WORDS,
    SERVICE_PEOPLE,
    TRAINING_WORDS,
    TRAIT_WORDS,
)

# 1. The components and their base weights (points out of 100 at default importance).
COMPONENT_WEIGHTS: dict[str, float] = {
    "competence": 30.0,
    "alliance": 25.0,
    "clinical": 20.0,
    "practical": 15.0,
    "responsiveness": 10.0,
}
COMPONENT_TITLES: dict[str, str] = {
    "competence": "Knows first responders",
    "alliance": "How they build the working relationship",
    "clinical": "Fits what you are dealing with",
    "practical": "Practical fit",
    "responsiveness": "Answers and keeps their profile current",
}

# Factors inside each component; each component's factor weights sum to 1.
COMPETENCE_FACTORS = {
    "years": 0.20,
    "caseload": 0.10,
    "service": 0.35,
    "training": 0.15,
    "agency": 0.10,
    "lived": 0.10,
}
CLINICAL_FACTORS = {"concerns": 0.50, "methods": 0.35, "trauma_focused": 0.15}
PRACTICAL_FACTORS = {
    "hours": 0.30,
    "format": 0.25,
    "payment": 0.20,
    "language": 0.15,
    "gender": 0.10,
}
RESPONSIVENESS_FACTORS = {"answer_rate": 0.50, "answer_speed": 0.30, "freshness": 0.20}
# The alliance: the four traits (practices, or check-ins once there are enough) and the fit
# between how the responder wants to work and how the therapist works.
ALLIANCE_FACTORS = {"traits": 0.6, "style": 0.4}

# Where each factor reaches its full value.
YEARS_FULL = 15
CASELOAD_PERCENT_FULL = 60
RIDE_ALONG_HOURS_FULL = 40
# How specific to responders each kind of training is; only verified trainings count.
TRAINING_KIND_VALUES = {
    "certification": 1.0,
    "critical_incident": 0.7,
    "ride_along": 0.5,
    "cultural_course": 0.4,
    "other": 0.25,
}
EXTRA_TRAINING_VALUE = 0.15  # each further verified training, on top of the best one
# Years and caseload with other services count for this share of the same with yours.
OTHER_SERVICE_DEPTH = 0.5
RETIRED_EXPERIENCE_SHARE = 0.25  # of the service factor, for a retired responder
TRAINED_METHOD_VALUE = 0.7
AVOIDED_METHOD_PENALTY = 0.25
RESCHEDULES_BONUS = 0.25
TELEHEALTH_FOR_EITHER_VALUE = 0.8
NEAREST_OFFICE_SHARE = 0.5
# A beta prior on the answer rate: a therapist with no requests yet sits at 0.6, between
# good and poor answerers, and each answered or expired request moves them from there.
ANSWER_RATE_PRIOR = 0.6
ANSWER_RATE_PRIOR_WEIGHT = 4
ANSWER_HOURS_FULL = 72
FRESHNESS_DAYS_FULL = 45
NEUTRAL = 0.5
CAN_PAY_VALUE = 0.7
IMPORTANCE_DEFAULT = 2
SECONDS_PER_DAY = 86_400.0
EARTH_RADIUS_MILES = 3958.8

TRAITS = ("respect_trust", "collaboration", "empathy", "adaptability")
# Working style: four scales from 1 to 5 between two poles (STYLE_WORDS).
STYLE_DIMENSIONS = ("lead", "focus", "pace", "tone")
STYLE_SCALE = (1, 5)
STYLE_DISTANCE_FULL = 3  # points outside a therapist's range at which the fit reaches 0
# How much low "the way we work fits me" check-ins discount a therapist's stated style.
STYLE_CHECKIN_WEIGHT = 0.5
STYLE_WORDS = {
    "lead": ("brings a clear plan", "shares the lead", "lets you lead"),
    "focus": ("skills for now", "skills and meaning both", "making sense of what happened"),
    "pace": ("straight at the hard things", "a steady pace", "at your pace, trust first"),
    "tone": ("warm and encouraging", "warm but direct", "direct, and challenges you"),
}
STYLE_NAMES = {"lead": "who leads", "focus": "focus", "pace": "pace", "tone": "tone"}
RESPONDER_CULTURE = "responder_culture"
# Agency work that an evaluator-wary responder does not count as a plus.
AGENCY_EMPLOYED = frozenset({"contracted", "embedded"})
TIE_MULTIPLIER = 0x9E3779B97F4A7C15
MASK_64 = (1 << 64) - 1
FIT_WORDS = ((85, "Strong fit"), (70, "Good fit"), (50, "Fair fit"), (0, "Partial fit"))
TRAUMA_CONCERNS = frozenset({"trauma", "critical_incident"})
TRAUMA_FOCUSED_METHODS = frozenset({"emdr", "cpt", "pe"})


@dataclass(frozen=True)
class Seeker:
    """What one responder told us, as ranking needs it."""

    state: str
    service: str = ""
    service_status: str = ""  # "active", "retired" or unanswered
    latitude: float | None = None
    longitude: float | None = None
    travel_miles: int = 25
    format_preference: str = "either"  # "either", "in_person" or "telehealth"
    concerns: frozenset[str] = frozenset()
    methods_wanted: frozenset[str] = frozenset()
    methods_avoided: frozenset[str] = frozenset()
    therapist_gender: str = ""
    gender_required: bool = False
    languages: frozenset[str] = frozenset()
    language_required: bool = False
    hours: frozenset[str] = frozenset()
    hours_required: bool = False
    payment_methods: frozenset[str] = frozenset()
    insurance_carrier: str = ""
    self_pay_budget_dollars: int | None = None
    payment_required: bool = False
    avoid_fitness_evaluators: bool = False
    avoid_preemployment_evaluators: bool = False
    importance: Mapping[str, int] = field(default_factory=dict)
    # How the responder wants to work: 1 to 5 on each stated dimension; absent = no preference.
    style: Mapping[str, int] = field(default_factory=dict)
    tie_seed: int = 0  # from the responder's session: orders exact ties for them

    @property
    def avoids_evaluators(self) -> bool:
        return self.avoid_fitness_evaluators or self.avoid_preemployment_evaluators


@dataclass(frozen=True)
class Checkins:
    """Measured alliance traits (alliance/aggregation.py): values for the score, ratings to show."""

    values: Mapping[str, float]  # per trait, 0 to 1
    ratings: Mapping[str, float]  # per trait, the shrunk mean rating, 0 to 10
    count: int
    fit: float | None = None  # "the way we work fits me", 0 to 1


@dataclass(frozen=True)
class Candidate:
    """A therapist as a candidate for responders in one state."""

    therapist_id: int
    published: bool = True
    accepting: bool = True
    # Latest expiry (date ordinal) of a verified license in the state; 0 when none.
    licensed_until_ordinal: int = 0
    confirmed_epoch: float = 0.0
    years_serving: int = 0
    caseload_percent: int = 0
    services: frozenset[str] = frozenset()
    verified_trainings: frozenset[str] = frozenset()  # kinds
    self_reported_trainings: frozenset[str] = frozenset()  # kinds, not yet verified
    agency_work: frozenset[str] = frozenset()
    ride_along_hours: int = 0
    lived_experience: frozenset[str] = frozenset()
    works_with_retired: bool = False
    agency_evaluations: frozenset[str] = frozenset()
    statements: frozenset[str] = frozenset()  # traits the therapist wrote about
    practices: frozenset[str] = frozenset()
    # What responders said in check-ins, once there are enough of them (else None), and the
    # same from responders of one service where that service alone has enough.
    checkins: Checkins | None = None
    checkins_by_service: Mapping[str, Checkins] = field(default_factory=dict)
    # How far the therapist adapts on each style dimension (low, high); None: not described.
    style_ranges: Mapping[str, tuple[int, int]] | None = None
    # "The way we work fits me" from check-ins (0 to 1), once there are enough.
    checkin_style: float | None = None
    focus_concerns: frozenset[str] = frozenset()
    methods_trained: frozenset[str] = frozenset()
    methods_certified: frozenset[str] = frozenset()
    offers_in_person: bool = False
    offers_telehealth_here: bool = False
    office_latitude: float | None = None
    office_longitude: float | None = None
    office_city: str = ""
    languages: frozenset[str] = frozenset()
    gender: str = ""
    hours: frozenset[str] = frozenset()
    reschedules_around_shifts: bool = False
    payment_methods: frozenset[str] = frozenset()
    insurance_carriers: frozenset[str] = frozenset()
    fee_min_dollars: int | None = None
    fee_max_dollars: int | None = None
    sliding_scale: bool = False
    # Of the last requests with an outcome (answered, or expired unanswered).
    intros_received: int = 0
    intros_answered: int = 0
    median_answer_hours: float | None = None


@dataclass(frozen=True)
class Rules:
    """The listing rules that move with time."""

    now_epoch: float
    today_ordinal: int
    confirmation_max_age_days: int = 45


VERIFIED = "verified"  # checked by Rapport staff against evidence
SELF_REPORTED = "self_reported"  # the therapist says so
MEASURED = "measured"  # what Rapport saw: answers to intro requests, confirmations
CHECKINS = "checkins"  # what responders said in check-ins after a match


SOURCE_LABELS = {
    VERIFIED: "Verified",
    SELF_REPORTED: "Self-reported",
    MEASURED: "",
    CHECKINS: "Measured",
}
NOT_ENOUGH_CHECKINS = "New: not enough check-ins yet"


@dataclass(frozen=True)
class Reason:
    text: str
    points: float
    source: str = SELF_REPORTED

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


@dataclass(frozen=True)
class Component:
    key: str
    title: str
    weight: float  # points this component is worth for this responder, out of 100
    value: float  # 0 to 1
    reasons: tuple[Reason, ...]

    @property
    def points(self) -> float:
        return self.weight * self.value

    @property
    def points_rounded(self) -> int:
        return round(self.points)

    @property
    def weight_rounded(self) -> int:
        return round(self.weight)


@dataclass(frozen=True)
class Score:
    therapist_id: int
    total: float  # 0 to 100
    components: tuple[Component, ...]
    # Where the alliance part comes from, in words: check-ins, or the therapist's own.
    alliance_source: str = ""

    @property
    def total_rounded(self) -> int:
        return round(self.total)

    @property
    def fit_words(self) -> str:
        return fit_words(self.total)

    @property
    def top_reasons(self) -> tuple[Reason, ...]:
        """The three reasons that added the most points."""
        reasons = [reason for c in self.components for reason in c.reasons if reason.points > 0]
        reasons.sort(key=lambda reason: -reason.points)
        return tuple(reasons[:3])


def fit_words(total: float) -> str:
    """A short word for a score, so the number is not the only thing a responder reads."""
    return next(words for floor, words in FIT_WORDS if total >= floor)


def tie_order(seed: int, therapist_id: int) -> int:
    """A shuffle of therapist ids for one responder, used only to order exact ties."""
    return ((therapist_id ^ seed) * TIE_MULTIPLIER) & MASK_64


def evaluates_for(seeker: Seeker, candidate: Candidate) -> bool:
    """Whether the therapist does an evaluation this responder asked to avoid."""
    avoided = set()
    if seeker.avoid_fitness_evaluators:
        avoided.add("fitness_for_duty")
    if seeker.avoid_preemployment_evaluators:
        avoided.add("pre_employment")
    return bool(avoided & candidate.agency_evaluations)


def importance_multiplier(importance: int) -> float:
    """Scale a component by how much it matters: 1/3 (not at all) to 4/3 (most)."""
    return (1 + max(0, min(3, importance))) / 3


def component_weights(seeker: Seeker) -> dict[str, float]:
    """The components' weights for this responder, scaled to sum to 100."""
    importance = seeker.importance
    culture = importance.get(RESPONDER_CULTURE, IMPORTANCE_DEFAULT)
    alliance = sum(importance.get(t, IMPORTANCE_DEFAULT) for t in TRAITS) / len(TRAITS)
    raw = dict(COMPONENT_WEIGHTS)
    raw["competence"] *= importance_multiplier(culture)
    raw["alliance"] *= importance_multiplier(alliance)
    total = sum(raw.values())
    return {key: 100.0 * weight / total for key, weight in raw.items()}


def trait_weights(seeker: Seeker) -> dict[str, float]:
    """How much each alliance trait counts for this responder; equal if all are zero."""
    weights = {t: float(max(0, seeker.importance.get(t, IMPORTANCE_DEFAULT))) for t in TRAITS}
    if sum(weights.values()) == 0:
        return dict.fromkeys(TRAITS, 1.0)
    return weights


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def office_distance(seeker: Seeker, candidate: Candidate) -> float | None:
    """Miles from the responder's ZIP to the therapist's office, when both are known."""
    if not candidate.offers_in_person or seeker.latitude is None or seeker.longitude is None:
        return None
    if candidate.office_latitude is None or candidate.office_longitude is None:
        return None
    return distance_miles(
        seeker.latitude, seeker.longitude, candidate.office_latitude, candidate.office_longitude
    )


def in_person_reachable(seeker: Seeker, candidate: Candidate) -> bool:
    distance = office_distance(seeker, candidate)
    return distance is not None and distance <= seeker.travel_miles


def can_pay(seeker: Seeker, candidate: Candidate) -> bool:
    """Whether the responder can pay this therapist one of the ways they said.

    A sliding scale counts, since it may bring the fee within the budget.
    """
    return payment_value(seeker, candidate) >= CAN_PAY_VALUE


def is_eligible(seeker: Seeker, candidate: Candidate, rules: Rules) -> bool:
    """The hard rules: a therapist failing any of them is never ranked."""
    confirmed_since = rules.now_epoch - rules.confirmation_max_age_days * SECONDS_PER_DAY
    if not (candidate.published and candidate.accepting):
        return False
    if candidate.licensed_until_ordinal <= rules.today_ordinal:
        return False
    if candidate.confirmed_epoch < confirmed_since:
        return False
    telehealth = candidate.offers_telehealth_here
    in_person = in_person_reachable(seeker, candidate)
    if seeker.format_preference == "telehealth" and not telehealth:
        return False
    if seeker.format_preference == "in_person" and not in_person:
        return False
    if seeker.format_preference == "either" and not (telehealth or in_person):
        return False
    if (
        seeker.language_required
        and seeker.languages
        and not (seeker.languages & candidate.languages)
    ):
        return False
    if (
        seeker.gender_required
        and seeker.therapist_gender
        and candidate.gender != seeker.therapist_gender
    ):
        return False
    if seeker.hours_required and seeker.hours and not (seeker.hours & candidate.hours):
        return False
    if seeker.payment_required and seeker.payment_methods and not can_pay(seeker, candidate):
        return False
    return not evaluates_for(seeker, candidate)


def _share(wanted: frozenset[str], offered: frozenset[str]) -> float:
    return len(wanted & offered) / len(wanted) if wanted else NEUTRAL


def _words(values: Iterable[str], words: Mapping[str, str]) -> str:
    names = [words[v] for v in sorted(values) if v in words]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class _Factors:
    """Collect a component's factors: value, and the reasons that earned points."""

    def __init__(self, weights: Mapping[str, float], component_weight: float) -> None:
        self.weights = weights
        self.component_weight = component_weight
        self.value = 0.0
        self.reasons: list[Reason] = []

    def add(self, name: str, value: float, text: str = "", *, source: str = SELF_REPORTED) -> None:
        self.value += self.weights[name] * value
        points = self.component_weight * self.weights[name] * value
        if text and points > 0:
            self.reasons.append(Reason(text=text, points=points, source=source))


def service_depth(seeker: Seeker, c: Candidate) -> float:
    """How much years and caseload count: fully with the responder's own service."""
    if not seeker.service or seeker.service == "other" or seeker.service in c.services:
        return 1.0
    return OTHER_SERVICE_DEPTH


def training_value(c: Candidate) -> float:
    """The most responder-specific verified training, plus a little for each further one."""
    values = sorted((TRAINING_KIND_VALUES.get(k, 0.0) for k in c.verified_trainings), reverse=True)
    if not values:
        return 0.0
    return min(1.0, values[0] + EXTRA_TRAINING_VALUE * (len(values) - 1))


def agency_counts(seeker: Seeker, c: Candidate) -> frozenset[str]:
    """Agency work that counts as a plus: none employed by agencies for evaluator-wary people."""
    return c.agency_work - AGENCY_EMPLOYED if seeker.avoids_evaluators else c.agency_work


def competence(seeker: Seeker, c: Candidate, weight: float) -> Component:
    f = _Factors(COMPETENCE_FACTORS, weight)
    years = max(0, c.years_serving)
    depth = service_depth(seeker, c)
    f.add(
        "years",
        depth * min(years, YEARS_FULL) / YEARS_FULL,
        f"{years} year{'s' if years != 1 else ''} serving first responders" if years else "",
    )
    percent = max(0, c.caseload_percent)
    f.add(
        "caseload",
        depth * min(percent, CASELOAD_PERCENT_FULL) / CASELOAD_PERCENT_FULL,
        f"{percent}% of their clients are first responders" if percent else "",
    )
    retired = seeker.service_status == "retired"
    if seeker.service and seeker.service != "other":
        matched = seeker.service in c.services
        share = 1 - RETIRED_EXPERIENCE_SHARE if retired else 1.0
        f.add(
            "service",
            share * matched,
            f"Has worked with {SERVICE_PEOPLE[seeker.service]}" if matched else "",
        )
    else:
        share = 1 - RETIRED_EXPERIENCE_SHARE if retired else 1.0
        f.add(
            "service",
            share * min(len(c.services), 3) / 3,
            f"Has worked with {_words(c.services, SERVICE_PEOPLE)}" if c.services else "",
        )
    if retired:
        f.add(
            "service",
            RETIRED_EXPERIENCE_SHARE * c.works_with_retired,
            "Works with retired responders and the move to retirement"
            if c.works_with_retired
            else "",
        )
    training = training_value(c)
    if training:
        kind = max(c.verified_trainings, key=lambda k: (TRAINING_KIND_VALUES.get(k, 0.0), k))
        text = f"Verified {TRAINING_WORDS.get(kind, 'first-responder training')}"
    else:
        text = ""
    f.add("training", training, text, source=VERIFIED)
    ride = min(max(0, c.ride_along_hours), RIDE_ALONG_HOURS_FULL) / RIDE_ALONG_HOURS_FULL
    counted = agency_counts(seeker, c)
    agency = max(1.0 if counted else 0.0, ride)
    if counted:
        text = AGENCY_WORDS.get(sorted(counted)[0], "Works with agencies")
    elif c.ride_along_hours:
        text = f"{c.ride_along_hours} hours of ride-alongs or station time"
    else:
        text = ""
    f.add("agency", agency, text)
    lived = sorted(c.lived_experience)
    f.add("lived", 1.0 if lived else 0.0, LIVED_WORDS.get(lived[0], "") if lived else "")
    return Component(
        "competence", COMPONENT_TITLES["competence"], weight, f.value, tuple(f.reasons)
    )


def checkins_for(c: Candidate, service: str = "") -> Checkins | None:
    """Check-ins from responders of this service where there are enough, else from all."""
    if service and service in c.checkins_by_service:
        return c.checkins_by_service[service]
    return c.checkins


def trait_value(c: Candidate, trait: str, service: str = "") -> float:
    """One alliance trait, from check-ins when there are enough, else from practices.

    Every listed therapist has written a statement for each trait (publishing needs them),
    so statements tell no one apart and earn nothing by themselves.
    """
    measured = checkins_for(c, service)
    if measured is not None and trait in measured.values:
        return max(0.0, min(1.0, measured.values[trait]))
    practices = sum(1 for p in c.practices if PRACTICE_TRAIT.get(p) == trait)
    return min(practices, 2) / 2


def style_side(value: int) -> int:
    """0 for the first pole, 1 for the middle, 2 for the second pole."""
    return 0 if value <= 2 else 1 if value == 3 else 2


def style_dimension_fit(wanted: int, low: int, high: int) -> float:
    """1 inside the therapist's range, less the further outside it."""
    distance = max(0, low - wanted, wanted - high)
    return max(0.0, 1 - distance / STYLE_DISTANCE_FULL)


def style_fits(seeker: Seeker, c: Candidate) -> dict[str, float]:
    """The fit on each dimension the responder stated; empty when the therapist gave none."""
    if c.style_ranges is None:
        return {}
    return {
        dim: style_dimension_fit(wanted, *c.style_ranges[dim])
        for dim, wanted in sorted(seeker.style.items())
    }


def style_fit(seeker: Seeker, c: Candidate) -> float:
    """How well the way the therapist works covers the way the responder asked for.

    No preference, or a therapist who has not described their style, is neutral; low
    "the way we work fits me" check-ins make stated style count for less.
    """
    if not seeker.style or c.style_ranges is None:
        return NEUTRAL
    fits = style_fits(seeker, c)
    fit = sum(fits.values()) / len(fits)
    if c.checkin_style is not None:
        fit *= 1 - STYLE_CHECKIN_WEIGHT * (1 - max(0.0, min(1.0, c.checkin_style)))
    return fit


def _checkin_reason_text(seeker: Seeker, c: Candidate, measured: Checkins, trait: str) -> str:
    same_service = c.checkins_by_service.get(seeker.service) is measured and seeker.service
    who = SERVICE_PEOPLE[seeker.service] if same_service else "Responders"
    who = who[0].upper() + who[1:]
    rating = measured.ratings.get(trait, 0.0)
    plural = "s" if measured.count != 1 else ""
    return (
        f"{who} rate their {TRAIT_WORDS[trait]} {rating:.1f} of 10 "
        f"({measured.count} check-in{plural})"
    )


def alliance(seeker: Seeker, c: Candidate, weight: float) -> Component:
    weights = trait_weights(seeker)
    total = sum(weights.values())
    traits_weight = ALLIANCE_FACTORS["traits"]
    measured = checkins_for(c, seeker.service)
    value, reasons = 0.0, []
    for trait in TRAITS:
        share = traits_weight * weights[trait] / total
        trait_score = trait_value(c, trait, seeker.service)
        value += share * trait_score
        points = weight * share * trait_score
        if points <= 0:
            continue
        if measured is not None and trait in measured.values:
            text = _checkin_reason_text(seeker, c, measured, trait)
            source = CHECKINS
        else:
            source = SELF_REPORTED
            practices = sorted(p for p in c.practices if PRACTICE_TRAIT.get(p) == trait)
            text, source = PRACTICE_WORDS[practices[0]], SELF_REPORTED
        reasons.append(Reason(text=text, points=points, source=source))
    if measured is None:
        # Said, not scored: where the traits above come from until responders have spoken.
        reasons.append(Reason(text=NOT_ENOUGH_CHECKINS, points=0.0, source=MEASURED))
    style = style_fit(seeker, c)
    value += ALLIANCE_FACTORS["style"] * style
    fitting = [dim for dim, fit in style_fits(seeker, c).items() if fit >= 1]
    if seeker.style and fitting:
        words = ", ".join(STYLE_WORDS[dim][style_side(seeker.style[dim])] for dim in fitting)
        reasons.append(
            Reason(
                text=f"Works the way you asked: {words}",
                points=weight * ALLIANCE_FACTORS["style"] * style,
                source=SELF_REPORTED,
            )
        )
    return Component("alliance", COMPONENT_TITLES["alliance"], weight, value, tuple(reasons))


def clinical(seeker: Seeker, c: Candidate, weight: float) -> Component:
    f = _Factors(CLINICAL_FACTORS, weight)
    helped = seeker.concerns & c.focus_concerns
    f.add(
        "concerns",
        _share(seeker.concerns, c.focus_concerns),
        f"Helps with {_words(helped, CONCERN_WORDS)}" if helped else "",
    )
    if seeker.methods_wanted:
        levels = [
            1.0
            if m in c.methods_certified
            else TRAINED_METHOD_VALUE
            if m in c.methods_trained
            else 0.0
            for m in sorted(seeker.methods_wanted)
        ]
        certified = seeker.methods_wanted & c.methods_certified
        trained = (seeker.methods_wanted & c.methods_trained) - certified
        text = (
            f"Certified in {_words(certified, METHOD_WORDS)}"
            if certified
            else f"Trained in {_words(trained, METHOD_WORDS)}"
            if trained
            else ""
        )
        f.add("methods", sum(levels) / len(levels), text)
    else:
        f.add("methods", NEUTRAL)
    if seeker.concerns & TRAUMA_CONCERNS:
        # A method the responder would rather avoid does not count as on offer for them.
        offered = (c.methods_trained & TRAUMA_FOCUSED_METHODS) - seeker.methods_avoided
        f.add(
            "trauma_focused",
            1.0 if offered else 0.0,
            f"Offers trauma-focused therapy ({_words(offered, METHOD_WORDS)})" if offered else "",
        )
    else:
        f.add("trauma_focused", NEUTRAL)
    avoided = min(len(c.methods_trained & seeker.methods_avoided), 2) / 2
    value = f.value * (1 - AVOIDED_METHOD_PENALTY * avoided)
    return Component("clinical", COMPONENT_TITLES["clinical"], weight, value, tuple(f.reasons))


def format_value(seeker: Seeker, c: Candidate) -> float:
    """Telehealth where wanted, or an office the closer the better within the travel limit."""
    distance = office_distance(seeker, c)
    near = 0.0
    if distance is not None and distance <= seeker.travel_miles:
        near = 1 - NEAREST_OFFICE_SHARE * distance / max(seeker.travel_miles, 1)
    if seeker.format_preference == "telehealth":
        return 1.0 if c.offers_telehealth_here else 0.0
    if seeker.format_preference == "in_person":
        return near
    return max(TELEHEALTH_FOR_EITHER_VALUE if c.offers_telehealth_here else 0.0, near)


def payment_value(seeker: Seeker, c: Candidate) -> float:
    """1 when the responder can pay one of the ways they said; partial for near misses."""
    if not seeker.payment_methods:
        return NEUTRAL
    best = 0.0
    for method in seeker.payment_methods & c.payment_methods:
        if method == "insurance":
            carrier = seeker.insurance_carrier
            value = 1.0 if not carrier or carrier in c.insurance_carriers else 0.3
        elif method == "self_pay":
            budget, fee = seeker.self_pay_budget_dollars, c.fee_min_dollars
            if budget is None or (fee is not None and fee <= budget):
                value = 1.0
            elif fee is None:
                value = 0.8
            elif c.sliding_scale:
                value = 0.7
            else:
                value = 0.3
        else:
            value = 1.0
        best = max(best, value)
    return best


def _payment_reason(seeker: Seeker, c: Candidate) -> str:
    shared = seeker.payment_methods & c.payment_methods
    if "insurance" in shared and seeker.insurance_carrier in c.insurance_carriers:
        return f"In network with {CARRIER_WORDS[seeker.insurance_carrier]}"
    if "eap" in shared:
        return "Takes agency EAP"
    if "workers_comp" in shared:
        return "Takes workers' compensation"
    if "self_pay" in shared and c.sliding_scale:
        return "Offers a sliding scale"
    if "self_pay" in shared:
        return "Fee within your budget"
    return f"Takes {_words(shared, PAYMENT_WORDS)}" if shared else ""


def practical(seeker: Seeker, c: Candidate, weight: float) -> Component:
    f = _Factors(PRACTICAL_FACTORS, weight)
    overlap = seeker.hours & c.hours
    share = len(overlap) / len(seeker.hours) if seeker.hours else NEUTRAL
    hours = min(1.0, share + RESCHEDULES_BONUS * c.reschedules_around_shifts)
    text = f"Offers {_words(overlap, HOURS_WORDS)} sessions" if overlap else ""
    if c.reschedules_around_shifts and not text:
        text = "Reschedules around shift changes"
    f.add("hours", hours, text)
    distance = office_distance(seeker, c)
    value = format_value(seeker, c)
    if (
        distance is not None
        and distance <= seeker.travel_miles
        and (seeker.format_preference != "telehealth")
    ):
        where = f" in {c.office_city}" if c.office_city else ""
        text = f"Office{where}, {distance:.0f} miles away"
    elif c.offers_telehealth_here and seeker.format_preference != "in_person":
        text = "Telehealth in your state"
    else:
        text = ""
    f.add("format", value, text)
    payment = payment_value(seeker, c)
    f.add("payment", payment, _payment_reason(seeker, c) if payment == 1.0 else "")
    spoken = seeker.languages & c.languages
    f.add(
        "language",
        (1.0 if spoken else 0.0) if seeker.languages else NEUTRAL,
        f"Speaks {_words(spoken, LANGUAGE_WORDS)}" if spoken - {"en"} else "",
    )
    if seeker.therapist_gender:
        matched = c.gender == seeker.therapist_gender
        f.add(
            "gender",
            1.0 if matched else 0.0,
            f"{GENDER_WORDS.get(c.gender, 'Their gender')}, as you asked" if matched else "",
        )
    else:
        f.add("gender", NEUTRAL)
    return Component("practical", COMPONENT_TITLES["practical"], weight, f.value, tuple(f.reasons))


def answer_rate(c: Candidate) -> float:
    """The share of intro requests answered, shrunk toward a prior while history is short."""
    received = max(0, c.intros_received)
    answered = max(0, min(c.intros_answered, received))
    return (answered + ANSWER_RATE_PRIOR_WEIGHT * ANSWER_RATE_PRIOR) / (
        received + ANSWER_RATE_PRIOR_WEIGHT
    )


def answer_speed(c: Candidate) -> float:
    """How soon an answer can be expected: the speed of answers, times the chance of one.

    A therapist who answers fast but rarely is not a fast answerer.
    """
    if c.median_answer_hours is None or c.intros_answered <= 0:
        speed = NEUTRAL
    else:
        speed = 1 - min(max(0.0, c.median_answer_hours), ANSWER_HOURS_FULL) / ANSWER_HOURS_FULL
    return answer_rate(c) * speed


def days_since_confirmed(c: Candidate, rules: Rules) -> float:
    return max(0.0, (rules.now_epoch - c.confirmed_epoch) / SECONDS_PER_DAY)


def answer_time_words(median_answer_hours: float) -> str:
    """How soon the answers that came usually came, in words."""
    if median_answer_hours <= 4:
        return "within a few hours"
    if median_answer_hours <= 24:
        return "within a day"
    if median_answer_hours <= 72:
        return "within three days"
    return "after more than three days"


def answer_history_words(received: int, answered: int, median_answer_hours: float | None) -> str:
    """What a therapist's answers to intro requests were, as facts."""
    if received <= 0:
        return "New to Rapport: no intro requests yet"
    requests = f"request{'s' if received != 1 else ''}"
    if answered <= 0:
        return f"Has not answered any of their last {received} intro {requests}"
    text = f"Answered {answered} of their last {received} intro {requests}"
    if median_answer_hours is not None:
        text += f", usually {answer_time_words(median_answer_hours)}"
    return text


def responsiveness(c: Candidate, weight: float, rules: Rules) -> Component:
    f = _Factors(RESPONSIVENESS_FACTORS, weight)
    rate = answer_rate(c)
    good_history = c.intros_received >= 3 and c.intros_answered / c.intros_received >= 0.8
    f.add(
        "answer_rate",
        rate,
        answer_history_words(c.intros_received, c.intros_answered, c.median_answer_hours)
        if good_history
        else "",
        source=MEASURED,
    )
    f.add("answer_speed", answer_speed(c), source=MEASURED)
    days = days_since_confirmed(c, rules)
    fresh = 1 - min(days, FRESHNESS_DAYS_FULL) / FRESHNESS_DAYS_FULL
    f.add(
        "freshness",
        fresh,
        "Confirmed their profile this week" if days <= 7 else "",
        source=MEASURED,
    )
    return Component(
        "responsiveness", COMPONENT_TITLES["responsiveness"], weight, f.value, tuple(f.reasons)
    )


EVALUATION_WORDS = {
    "fitness_for_duty": "fitness-for-duty evaluations",
    "pre_employment": "pre-employment screening",
    "other": "other evaluations",
}


@dataclass(frozen=True)
class CardLines:
    """What a card says of a therapist for this responder: where, cost, and what does not fit."""

    where: str
    cost: str
    mismatches: tuple[str, ...]


def _money(dollars: int) -> str:
    return f"${dollars:,d}"


def where_words(seeker: Seeker, c: Candidate) -> str:
    """Where and how they meet, for this responder."""
    telehealth = c.offers_telehealth_here
    if not c.offers_in_person:
        return "Telehealth only" if telehealth else "No way of meeting in your state"
    place = f"Office in {c.office_city}" if c.office_city else "Office"
    distance = office_distance(seeker, c)
    if distance is not None:
        place += f", {distance:.0f} miles away"
    return place + (" · telehealth too" if telehealth else " · in person only")


def cost_words(c: Candidate) -> str:
    """The fee range, as the therapist gave it."""
    low, high = c.fee_min_dollars, c.fee_max_dollars
    if low is None and high is None:
        fee = "Fee not listed"
    elif low is None or high is None or low == high:
        fee = f"{_money(low if low is not None else high)} a session"
    else:
        fee = f"{_money(low)} to {_money(high)} a session"
    return fee + (", sliding scale" if c.sliding_scale else "")


def _unpaid_ways(seeker: Seeker, c: Candidate) -> list[str]:
    ways = []
    for method in sorted(seeker.payment_methods):
        if method == "insurance":
            carrier = seeker.insurance_carrier
            if "insurance" not in c.payment_methods:
                ways.append("insurance")
            elif carrier and carrier not in c.insurance_carriers:
                ways.append(f"{CARRIER_WORDS[carrier]} insurance")
        elif method == "self_pay":
            budget, fee = seeker.self_pay_budget_dollars, c.fee_min_dollars
            if "self_pay" not in c.payment_methods:
                ways.append("self-pay")
            elif budget is not None and fee is not None and fee > budget:
                ways.append(f"self-pay within your {_money(budget)} budget")
        elif method not in c.payment_methods:
            ways.append(PAYMENT_WORDS[method])
    return ways


def mismatches(seeker: Seeker, c: Candidate) -> tuple[str, ...]:
    """Each way this therapist does not fit what the responder said, one line each."""
    lines = []
    if seeker.payment_methods and not can_pay(seeker, c):
        lines.append("Does not take " + " or ".join(_unpaid_ways(seeker, c) or ["your way to pay"]))
    if seeker.hours and not (seeker.hours & c.hours):
        text = f"Does not offer {_words(seeker.hours, HOURS_WORDS).replace(' and ', ' or ')}"
        text += " sessions" + (
            " (but reschedules around shifts)" if c.reschedules_around_shifts else ""
        )
        lines.append(text)
    distance = office_distance(seeker, c)
    office_only = c.offers_in_person and not c.offers_telehealth_here
    if seeker.format_preference == "in_person" and not in_person_reachable(seeker, c):
        lines.append("No office within your travel distance")
    elif seeker.format_preference == "telehealth" and not c.offers_telehealth_here:
        lines.append("No telehealth in your state")
    elif office_only and distance is not None and distance > seeker.travel_miles:
        lines.append(f"Office farther than your {seeker.travel_miles} miles")
    if seeker.languages and not (seeker.languages & c.languages):
        spoken = _words(seeker.languages, LANGUAGE_WORDS).replace(" and ", " or ")
        lines.append(f"Does not speak {spoken}")
    if seeker.therapist_gender and c.gender != seeker.therapist_gender:
        lines.append("Not the therapist gender you asked for")
    differs = [STYLE_NAMES[dim] for dim, fit in style_fits(seeker, c).items() if fit < 1]
    if differs:
        names = differs[0] if len(differs) == 1 else ", ".join(differs[:-1]) + " and " + differs[-1]
        lines.append(f"Works differently from what you asked on {names}")
    return tuple(lines)


def card_lines(seeker: Seeker, c: Candidate) -> CardLines:
    return CardLines(
        where=where_words(seeker, c), cost=cost_words(c), mismatches=mismatches(seeker, c)
    )


def raw_components(seeker: Seeker, candidate: Candidate, rules: Rules) -> tuple[Component, ...]:
    """The five components before calibration."""
    weights = component_weights(seeker)
    return (
        competence(seeker, candidate, weights["competence"]),
        alliance(seeker, candidate, weights["alliance"]),
        clinical(seeker, candidate, weights["clinical"]),
        practical(seeker, candidate, weights["practical"]),
        responsiveness(candidate, weights["responsiveness"], rules),
    )


def ideal_candidate(seeker: Seeker, rules: Rules) -> Candidate:
    """A therapist who fits everything this responder said, as well as anyone could."""
    methods = seeker.methods_wanted | (TRAUMA_FOCUSED_METHODS - seeker.methods_avoided)
    return Candidate(
        therapist_id=0,
        licensed_until_ordinal=rules.today_ordinal + 1,
        confirmed_epoch=rules.now_epoch,
        years_serving=YEARS_FULL,
        caseload_percent=CASELOAD_PERCENT_FULL,
        services=frozenset(SERVICE_PEOPLE),
        verified_trainings=frozenset({"certification"}),
        agency_work=frozenset({"peer_support_advisor"}),
        ride_along_hours=RIDE_ALONG_HOURS_FULL,
        lived_experience=frozenset({"own_service"}),
        works_with_retired=True,
        statements=frozenset(TRAITS),
        practices=frozenset(PRACTICE_TRAIT),
        style_ranges=dict.fromkeys(STYLE_DIMENSIONS, STYLE_SCALE),
        focus_concerns=seeker.concerns,
        methods_trained=methods,
        methods_certified=methods,
        offers_in_person=seeker.latitude is not None and seeker.longitude is not None,
        offers_telehealth_here=True,
        office_latitude=seeker.latitude,
        office_longitude=seeker.longitude,
        languages=seeker.languages,
        gender=seeker.therapist_gender,
        hours=seeker.hours,
        reschedules_around_shifts=True,
        payment_methods=seeker.payment_methods,
        insurance_carriers=frozenset({seeker.insurance_carrier} - {""}),
        fee_min_dollars=0,
        intros_received=20,
        intros_answered=20,
        median_answer_hours=0.0,
    )


def ceilings(seeker: Seeker, rules: Rules) -> dict[str, float]:
    """Each component's value for the ideal candidate: what calibration divides by."""
    return {
        component.key: component.value
        for component in raw_components(seeker, ideal_candidate(seeker, rules), rules)
    }


def calibrate(component: Component, ceiling: float) -> Component:
    """A component's value as a share of the best this responder's answers allow."""
    if ceiling <= 0:
        return component
    scale = 1 / ceiling
    value = min(1.0, component.value * scale)
    reasons = tuple(
        Reason(text=r.text, points=r.points * scale, source=r.source) for r in component.reasons
    )
    return Component(component.key, component.title, component.weight, value, reasons)


def score(
    seeker: Seeker,
    candidate: Candidate,
    rules: Rules,
    *,
    ceiling: Mapping[str, float] | None = None,
) -> Score:
    """Score one therapist for one responder, with every component and its reasons."""
    ceiling = ceiling if ceiling is not None else ceilings(seeker, rules)
    components = tuple(
        calibrate(component, ceiling[component.key])
        for component in raw_components(seeker, candidate, rules)
    )
    total = sum(component.points for component in components)
    measured = checkins_for(candidate, seeker.service)
    return Score(
        therapist_id=candidate.therapist_id,
        total=max(0.0, min(100.0, total)),
        components=components,
        alliance_source=(
            f"Alliance measured from {measured.count} check-ins"
            if measured is not None
            else f"Alliance in their own words. {NOT_ENOUGH_CHECKINS}"
        ),
    )


def rank(seeker: Seeker, candidates: Iterable[Candidate], rules: Rules) -> list[Score]:
    """Score the eligible candidates and order them: highest score first, exact ties shuffled
    for this responder."""
    ceiling = ceilings(seeker, rules)
    scores = [
        score(seeker, c, rules, ceiling=ceiling)
        for c in candidates
        if is_eligible(seeker, c, rules)
    ]
    scores.sort(key=lambda s: (-s.total, tie_order(seeker.tie_seed, s.therapist_id)))
    return scores
