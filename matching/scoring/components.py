"""The score of one therapist for one responder, component by component, with the reasons a
person reads on the card.

This is the readable scorer: the ranked list orders whole states with the same factor
functions over columns (matching/ranking/kernels.py), and tests keep the two equal. Every
number comes from factors.py and weights.py; this module adds only the reasons' words.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matching.scoring import factors
from matching.scoring import weights as w
from matching.scoring.alliance import alliance
from matching.scoring.eligibility import (
    candidate_payment_value,
    office_distance,
    reachable_distance,
)
from matching.scoring.types import (
    RECORDED,
    SELF_REPORTED,
    VERIFIED,
    Candidate,
    Component,
    Reason,
    Rules,
    Seeker,
)
from matching.scoring.words import (
    AGENCY_WORDS,
    CARRIER_WORDS,
    COMPONENT_TITLES,
    CONCERN_WORDS,
    GENDER_WORDS,
    HOURS_WORDS,
    LANGUAGE_WORDS,
    LIVED_WORDS,
    METHOD_WORDS,
    PAYMENT_WORDS,
    SERVICE_PEOPLE,
    TRAINING_WORDS,
    answer_history_words,
    listed,
)
from profiles.vocabulary import (
    AGENCY_EMPLOYED,
    TRAINING_KINDS,
    TRAUMA_CONCERNS,
    TRAUMA_FOCUSED_METHODS,
)


class _Factors:
    """Collect a component's factors: value, and the reasons that earned points."""

    def __init__(self, weights: Mapping[str, float], component_weight: float) -> None:
        self.weights = weights
        self.component_weight = component_weight
        self.value = 0.0
        self.reasons: list[Reason] = []

    def add(self, name: str, value, text: str = "", *, source: str = SELF_REPORTED) -> None:
        value = float(value)
        self.value += self.weights[name] * value
        points = self.component_weight * self.weights[name] * value
        if text and points > 0:
            self.reasons.append(Reason(text=text, points=points, source=source))


def _kinds(kinds: frozenset[str]) -> list[float]:
    return [1.0 if kind in kinds else 0.0 for kind in TRAINING_KINDS]


def agency_counts(seeker: Seeker, c: Candidate) -> frozenset[str]:
    """Agency work that counts as a plus: none employed by agencies for evaluator-wary people."""
    return c.agency_work - AGENCY_EMPLOYED if seeker.avoids_evaluators else c.agency_work


def competence(seeker: Seeker, c: Candidate, weight: float) -> Component:
    f = _Factors(w.COMPETENCE_FACTORS, weight)
    serves = seeker.service in c.services
    depth = factors.service_depth(serves, seeker.service_named)
    years = max(0, c.years_serving)
    f.add(
        "years",
        depth * factors.capped_share(years, w.YEARS_FULL),
        f"{years} year{'s' if years != 1 else ''} serving first responders" if years else "",
    )
    percent = max(0, c.caseload_percent)
    f.add(
        "caseload",
        depth * factors.capped_share(percent, w.CASELOAD_PERCENT_FULL),
        f"{percent}% of their clients are first responders" if percent else "",
    )
    retired = seeker.service_status == "retired"
    if seeker.service_named:
        text = f"Has worked with {SERVICE_PEOPLE[seeker.service]}" if serves else ""
    else:
        text = f"Has worked with {listed(c.services, SERVICE_PEOPLE)}" if c.services else ""
    served = factors.served_value(
        serves, len(c.services), service_named=seeker.service_named, retired=retired
    )
    f.add("service", served, text)
    if retired:
        f.add(
            "service",
            factors.retired_value(c.works_with_retired),
            "Works with retired responders and the move to retirement"
            if c.works_with_retired
            else "",
        )
    training = factors.training_value(_kinds(c.verified_trainings))
    if training:
        kind = max(c.verified_trainings, key=lambda k: (w.TRAINING_KIND_VALUES.get(k, 0.0), k))
        text = f"Verified {TRAINING_WORDS.get(kind, 'first-responder training')}"
    else:
        text = ""
    f.add("training", training, text, source=VERIFIED)
    counted = agency_counts(seeker, c)
    if counted:
        text = AGENCY_WORDS.get(sorted(counted)[0], "Works with agencies")
    elif c.ride_along_hours:
        text = f"{c.ride_along_hours} hours of ride-alongs or station time"
    else:
        text = ""
    f.add("agency", factors.agency_value(bool(counted), c.ride_along_hours), text)
    lived = sorted(c.lived_experience)
    f.add("lived", 1.0 if lived else 0.0, LIVED_WORDS.get(lived[0], "") if lived else "")
    return Component(
        "competence", COMPONENT_TITLES["competence"], weight, f.value, tuple(f.reasons)
    )


def _share(wanted: frozenset[str], offered: frozenset[str]) -> float:
    return len(wanted & offered) / len(wanted) if wanted else w.NEUTRAL


def clinical(seeker: Seeker, c: Candidate, weight: float) -> Component:
    f = _Factors(w.CLINICAL_FACTORS, weight)
    helped = seeker.concerns & c.focus_concerns
    f.add(
        "concerns",
        _share(seeker.concerns, c.focus_concerns),
        f"Helps with {listed(helped, CONCERN_WORDS)}" if helped else "",
    )
    if seeker.methods_wanted:
        certified = seeker.methods_wanted & c.methods_certified
        trained = (seeker.methods_wanted & c.methods_trained) - certified
        text = (
            f"Certified in {listed(certified, METHOD_WORDS)}"
            if certified
            else f"Trained in {listed(trained, METHOD_WORDS)}"
            if trained
            else ""
        )
        value = factors.methods_value(len(certified), len(trained), len(seeker.methods_wanted))
        f.add("methods", value, text)
    else:
        f.add("methods", w.NEUTRAL)
    if seeker.concerns & TRAUMA_CONCERNS:
        # A method the responder would rather avoid does not count as on offer for them.
        offered = (c.methods_trained & TRAUMA_FOCUSED_METHODS) - seeker.methods_avoided
        f.add(
            "trauma_focused",
            1.0 if offered else 0.0,
            f"Offers trauma-focused therapy ({listed(offered, METHOD_WORDS)})" if offered else "",
        )
    else:
        f.add("trauma_focused", w.NEUTRAL)
    discount = factors.avoided_discount(len(c.methods_trained & seeker.methods_avoided))
    value = f.value * float(discount)
    return Component("clinical", COMPONENT_TITLES["clinical"], weight, value, tuple(f.reasons))


def format_value(seeker: Seeker, c: Candidate) -> float:
    return float(
        factors.format_value(
            seeker.format_preference,
            seeker.travel_miles,
            reachable_distance(seeker, c),
            c.offers_telehealth_here,
        )
    )


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
    return f"Takes {listed(shared, PAYMENT_WORDS)}" if shared else ""


def practical(seeker: Seeker, c: Candidate, weight: float) -> Component:
    f = _Factors(w.PRACTICAL_FACTORS, weight)
    overlap = seeker.hours & c.hours
    share = len(overlap) / len(seeker.hours) if seeker.hours else w.NEUTRAL
    text = f"Offers {listed(overlap, HOURS_WORDS)} sessions" if overlap else ""
    if c.reschedules_around_shifts and not text:
        text = "Reschedules around shift changes"
    f.add("hours", factors.hours_value(share, c.reschedules_around_shifts), text)
    distance = office_distance(seeker, c)
    if (
        distance is not None
        and distance <= seeker.travel_miles
        and seeker.format_preference != "telehealth"
    ):
        where = f" in {c.office_city}" if c.office_city else ""
        text = f"Office{where}, {distance:.0f} miles away"
    elif c.offers_telehealth_here and seeker.format_preference != "in_person":
        text = "Telehealth in your state"
    else:
        text = ""
    f.add("format", format_value(seeker, c), text)
    payment = candidate_payment_value(seeker, c)
    f.add("payment", payment, _payment_reason(seeker, c) if payment == w.PAID_VALUE else "")
    spoken = seeker.languages & c.languages
    f.add(
        "language",
        factors.matched_value(bool(seeker.languages), bool(spoken)),
        f"Speaks {listed(spoken, LANGUAGE_WORDS)}" if spoken - {"en"} else "",
    )
    matched = bool(seeker.therapist_gender) and c.gender == seeker.therapist_gender
    f.add(
        "gender",
        factors.matched_value(bool(seeker.therapist_gender), matched),
        f"{GENDER_WORDS.get(c.gender, 'Their gender')}, as you asked" if matched else "",
    )
    return Component("practical", COMPONENT_TITLES["practical"], weight, f.value, tuple(f.reasons))


def responsiveness(c: Candidate, weight: float, rules: Rules) -> Component:
    f = _Factors(w.RESPONSIVENESS_FACTORS, weight)
    good_history = c.intros_received >= 3 and c.intros_answered / c.intros_received >= 0.8
    f.add(
        "answer_rate",
        factors.answer_rate(c.intros_received, c.intros_answered),
        answer_history_words(c.intros_received, c.intros_answered, c.median_answer_hours)
        if good_history
        else "",
        source=RECORDED,
    )
    median = np.nan if c.median_answer_hours is None else c.median_answer_hours
    f.add(
        "answer_speed",
        factors.answer_speed(c.intros_received, c.intros_answered, median),
        source=RECORDED,
    )
    days = float(factors.days_since(rules.now_epoch, c.confirmed_epoch))
    f.add(
        "freshness",
        factors.freshness(days),
        "Confirmed their profile this week" if days <= 7 else "",
        source=RECORDED,
    )
    return Component(
        "responsiveness", COMPONENT_TITLES["responsiveness"], weight, f.value, tuple(f.reasons)
    )


def raw_components(seeker: Seeker, candidate: Candidate, rules: Rules) -> tuple[Component, ...]:
    """The five components before calibration."""
    weights = w.component_weights(seeker.importance)
    return (
        competence(seeker, candidate, weights["competence"]),
        alliance(seeker, candidate, weights["alliance"]),
        clinical(seeker, candidate, weights["clinical"]),
        practical(seeker, candidate, weights["practical"]),
        responsiveness(candidate, weights["responsiveness"], rules),
    )


def calibrate(component: Component, ceiling: float) -> Component:
    """A component's value as a share of the best this responder's answers allow; its
    reasons' points scale the same way."""
    if ceiling <= 0:
        return component
    scale = 1 / ceiling
    value = float(factors.calibrated(component.value, ceiling))
    reasons = tuple(
        Reason(text=r.text, points=r.points * scale, source=r.source) for r in component.reasons
    )
    return Component(component.key, component.title, component.weight, value, reasons)
