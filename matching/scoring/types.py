"""What the score reads (a responder, a therapist, the rules that move with time) and what it
gives back (components with their reasons), as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from matching.scoring.words import fit_words
from profiles.vocabulary import TRAVEL_MILES_DEFAULT


@dataclass(frozen=True)
class Seeker:
    """What one responder told us, as ranking needs it."""

    state: str
    service: str = ""
    service_status: str = ""  # "active", "retired" or unanswered
    latitude: float | None = None
    longitude: float | None = None
    travel_miles: int = TRAVEL_MILES_DEFAULT
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

    @property
    def service_named(self) -> bool:
        """Whether the responder named a service of their own (not "other")."""
        return bool(self.service) and self.service != "other"

    @property
    def avoided_evaluations(self) -> frozenset[str]:
        """The agency evaluations this responder asked to avoid therapists for."""
        avoided = set()
        if self.avoid_fitness_evaluators:
            avoided.add("fitness_for_duty")
        if self.avoid_preemployment_evaluators:
            avoided.add("pre_employment")
        return frozenset(avoided)


@dataclass(frozen=True)
class Checkins:
    """Measured alliance (alliance/aggregation.py): values for the score, ratings to show."""

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
    agency_work: frozenset[str] = frozenset()
    ride_along_hours: int = 0
    lived_experience: frozenset[str] = frozenset()
    works_with_retired: bool = False
    agency_evaluations: frozenset[str] = frozenset()
    practices: frozenset[str] = frozenset()
    # What responders said in check-ins, once there are enough of them (else None), and the
    # same from responders of one service where that service alone has enough.
    checkins: Checkins | None = None
    checkins_by_service: Mapping[str, Checkins] = field(default_factory=dict)
    # How far the therapist adapts on each style dimension (low, high); None: not described.
    style_ranges: Mapping[str, tuple[int, int]] | None = None
    # "The way we work fits me" from check-ins (0 to 1), once there are enough.
    checkin_style: float | None = None
    # Each alliance item's value at the population's figures (traits and "fit"): what an
    # unmeasured therapist is given, and what a measured fit is compared with.
    alliance_baseline: Mapping[str, float] = field(default_factory=dict)
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
    # Capacity: the openings the therapist has left, and the requests waiting for them.
    open_slots: int = 1
    pending_requests: int = 0


@dataclass(frozen=True)
class Rules:
    """The listing rules that move with time, and the settings they read."""

    now_epoch: float
    today_ordinal: int
    confirmation_max_age_days: int = 45
    # Requests a therapist may hold waiting per opening left (PENDING_REQUESTS_PER_OPENING).
    pending_requests_per_opening: int = 2


# Where a reason's fact comes from; each reason on a card carries one.
VERIFIED = "verified"  # checked by Rapport staff against evidence
SELF_REPORTED = "self_reported"  # the therapist says so
RECORDED = "recorded"  # Rapport's own records: answers to intro requests, confirmations
CHECKINS = "checkins"  # what responders said in check-ins after a match

# The badge a card shows beside a reason; Rapport's own records need none.
SOURCE_LABELS = {
    VERIFIED: "Verified",
    SELF_REPORTED: "Self-reported",
    RECORDED: "",
    CHECKINS: "Measured",
}


@dataclass(frozen=True)
class Reason:
    text: str
    points: float
    source: str = SELF_REPORTED

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, "")


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
    # The share of the total the list is ordered by (factors.load_order_share): 1 while the
    # therapist has room. Never shown: the total shown does not move with others' requests.
    order_share: float = 1.0

    @property
    def total_rounded(self) -> int:
        return round(self.total)

    @property
    def order_value(self) -> float:
        """What the list orders by: the total, a little less for a therapist near their limit."""
        return self.total * self.order_share

    @property
    def fit_words(self) -> str:
        return fit_words(self.total)

    @property
    def top_reasons(self) -> tuple[Reason, ...]:
        """The three reasons that added the most points."""
        reasons = [reason for c in self.components for reason in c.reasons if reason.points > 0]
        reasons.sort(key=lambda reason: -reason.points)
        return tuple(reasons[:3])
