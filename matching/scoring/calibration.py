"""The ceiling of each component for one responder: what an ideal therapist would get.

A component's value is divided by its ceiling (components.calibrate, factors.calibrated),
so a question the responder left unanswered, which gives everyone the same neutral value,
caps no one.
"""

from __future__ import annotations

from matching.scoring import weights as w
from matching.scoring.components import raw_components
from matching.scoring.types import Candidate, Checkins, Rules, Seeker
from profiles.vocabulary import (
    PRACTICES,
    SERVICES,
    STYLE_DIMENSIONS,
    STYLE_SCALE,
    TRAITS,
    TRAUMA_FOCUSED_METHODS,
)

SCALE_MAX = 10


def ideal_candidate(seeker: Seeker, rules: Rules) -> Candidate:
    """A therapist who fits everything this responder said, as well as anyone could."""
    methods = seeker.methods_wanted | (TRAUMA_FOCUSED_METHODS - seeker.methods_avoided)
    return Candidate(
        therapist_id=0,
        licensed_until_ordinal=rules.today_ordinal + 1,
        confirmed_epoch=rules.now_epoch,
        years_serving=w.YEARS_FULL,
        caseload_percent=w.CASELOAD_PERCENT_FULL,
        services=frozenset(SERVICES),
        verified_trainings=frozenset({"certification"}),
        agency_work=frozenset({"peer_support_advisor"}),
        ride_along_hours=w.RIDE_ALONG_HOURS_FULL,
        lived_experience=frozenset({"own_service"}),
        works_with_retired=True,
        practices=frozenset(PRACTICES),
        # The best alliance responders can report, in every trait and in the fit.
        checkins=Checkins(
            values=dict.fromkeys(TRAITS, 1.0),
            ratings=dict.fromkeys(TRAITS, float(SCALE_MAX)),
            count=0,
            fit=1.0,
        ),
        checkin_style=1.0,
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
