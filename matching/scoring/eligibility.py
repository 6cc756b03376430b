"""The hard rules: a therapist failing any of them is never ranked for this responder.

Three kinds: the listing rules that move with the clock (a license's expiry, how recently the
profile was confirmed), checked at rank time so that no write is needed when time passes;
capacity (a therapist holding as many requests as their openings allow takes no more);
and what this responder said is a must (a format they can use, a language, a gender, hours,
a way to pay, no evaluators). Each rule is one function over one therapist's values or over
whole columns; the therapist's side comes as a function, called only when the responder's
answer needs it. Who is listed at all (published, complete, vetted, active) is decided in
the database: profiles.selectors.therapists_taking_clients.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from matching.scoring import elementwise as el
from matching.scoring import factors
from matching.scoring import weights as w
from matching.scoring.types import Candidate, Rules, Seeker
from profiles.vocabulary import PAYMENTS


def listed_now(*, published, accepting, licensed_until_ordinal, confirmed_epoch, rules: Rules):
    """Published, accepting, a license still current and a profile confirmed recently."""
    confirmed_since = rules.now_epoch - rules.confirmation_max_age_days * w.SECONDS_PER_DAY
    return (
        published
        & accepting
        & (licensed_until_ordinal > rules.today_ordinal)
        & (confirmed_epoch >= confirmed_since)
    )


def takes_requests_now(*, pending_requests, open_slots, rules: Rules):
    """Fewer requests waiting than the therapist's openings allow: they may be asked now.

    The same rule refuses a request (matching.services.intros.intro_create, under a lock on
    the therapist) and keeps a therapist off the ranked list. It is not part of is_eligible,
    which says whether a therapist fits the responder's answers (what an intro's snapshot
    records) whatever others asked of them.
    """
    return factors.takes_requests(
        factors.request_load(pending_requests, open_slots, rules.pending_requests_per_opening)
    )


def format_ok(format_preference: str, *, telehealth, reachable):
    """A way of meeting the responder can use: telehealth in their state, or an office within
    their travel distance."""
    if format_preference == "telehealth":
        return telehealth
    if format_preference == "in_person":
        return reachable
    return telehealth | reachable


def _negated(flags):
    return ~flags if el.arrays(flags) else not flags


def must_haves_ok(
    seeker: Seeker,
    keep,
    *,
    speaks: Callable[[], object],
    gender_matches: Callable[[], object],
    offers_hours: Callable[[], object],
    fitness_evaluator: Callable[[], object],
    preemployment_evaluator: Callable[[], object],
):
    """`keep`, narrowed by what the responder marked as a must and the evaluators they avoid."""
    if seeker.language_required and seeker.languages:
        keep = keep & speaks()
    if seeker.gender_required and seeker.therapist_gender:
        keep = keep & gender_matches()
    if seeker.hours_required and seeker.hours:
        keep = keep & offers_hours()
    if seeker.avoid_fitness_evaluators:
        keep = keep & _negated(fitness_evaluator())
    if seeker.avoid_preemployment_evaluators:
        keep = keep & _negated(preemployment_evaluator())
    return keep


def payment_value(
    seeker: Seeker, *, offers: Callable[[str], object], in_network, fee_min, sliding_scale
):
    """1 when the responder can pay one of the ways they said; partial for near misses;
    neutral when they said nothing about paying."""
    if not seeker.payment_methods:
        return factors.matched_value(False, fee_min)
    best = el.constant(fee_min, 0.0)
    for method in PAYMENTS:
        if method not in seeker.payment_methods:
            continue
        if method == "insurance":
            value = factors.insurance_value(bool(seeker.insurance_carrier), in_network)
        elif method == "self_pay":
            value = factors.self_pay_value(seeker.self_pay_budget_dollars, fee_min, sliding_scale)
        else:
            value = w.PAID_VALUE
        best = el.maximum(best, el.where(offers(method), value, 0.0))
    return best


def payment_ok(seeker: Seeker, payment):
    """Whether a way to pay is met, where the responder marked it as a must."""
    if seeker.payment_required and seeker.payment_methods:
        return payment >= w.CAN_PAY_VALUE
    return el.constant(payment, True)


# One therapist.


def office_distance(seeker: Seeker, c: Candidate) -> float | None:
    """Miles from the responder's ZIP to the therapist's office, when both are known."""
    if not c.offers_in_person or seeker.latitude is None or seeker.longitude is None:
        return None
    if c.office_latitude is None or c.office_longitude is None:
        return None
    return factors.distance_miles(
        seeker.latitude, seeker.longitude, c.office_latitude, c.office_longitude
    )


def reachable_distance(seeker: Seeker, c: Candidate) -> float:
    """Miles to the office when it lies within the travel distance, else NaN."""
    distance = office_distance(seeker, c)
    return distance if distance is not None and distance <= seeker.travel_miles else np.nan


def in_person_reachable(seeker: Seeker, c: Candidate) -> bool:
    return not el.isnan(reachable_distance(seeker, c))


def candidate_payment_value(seeker: Seeker, c: Candidate) -> float:
    return float(
        payment_value(
            seeker,
            offers=lambda method: method in c.payment_methods,
            in_network=seeker.insurance_carrier in c.insurance_carriers,
            fee_min=np.nan if c.fee_min_dollars is None else c.fee_min_dollars,
            sliding_scale=c.sliding_scale,
        )
    )


def can_pay(seeker: Seeker, c: Candidate) -> bool:
    """Whether the responder can pay this therapist one of the ways they said.

    A sliding scale counts, since it may bring the fee within the budget.
    """
    return candidate_payment_value(seeker, c) >= w.CAN_PAY_VALUE


def is_eligible(seeker: Seeker, c: Candidate, rules: Rules) -> bool:
    """Every hard rule, for one therapist."""
    keep = listed_now(
        published=c.published,
        accepting=c.accepting,
        licensed_until_ordinal=c.licensed_until_ordinal,
        confirmed_epoch=c.confirmed_epoch,
        rules=rules,
    ) & format_ok(
        seeker.format_preference,
        telehealth=c.offers_telehealth_here,
        reachable=in_person_reachable(seeker, c),
    )
    keep = must_haves_ok(
        seeker,
        keep,
        speaks=lambda: bool(seeker.languages & c.languages),
        gender_matches=lambda: c.gender == seeker.therapist_gender,
        offers_hours=lambda: bool(seeker.hours & c.hours),
        fitness_evaluator=lambda: "fitness_for_duty" in c.agency_evaluations,
        preemployment_evaluator=lambda: "pre_employment" in c.agency_evaluations,
    )
    return bool(keep & payment_ok(seeker, candidate_payment_value(seeker, c)))
