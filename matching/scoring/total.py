"""The score: each component calibrated to the best this responder's answers allow, summed.

How a score is made:
1. Each of five components gives a value from 0 to 1, itself a weighted sum of factors
   (factors.py). A question the responder left unanswered gives every therapist the same
   neutral value, so it changes no one's place.
2. Each component has a base weight (weights.COMPONENT_WEIGHTS, out of 100). What the
   responder said matters most scales two of them: "understands responder culture" scales
   first-responder competence, and the four alliance traits scale the alliance.
3. Each component's value is divided by the value a therapist who fits every answer would
   get (the ceiling, from an ideal candidate for this responder: calibration.py), so
   unanswered questions cap no one: a therapist who fits everything scores near 100.
4. The score is the sum of the components' points (weight times calibrated value).
5. The list is ordered by the score times a share for the therapist's load
   (factors.load_order_share): 1 while they have room, so the order between therapists
   with room is the scores' order; a little less near their limit. The score shown is the
   score itself, which no one else's request moves.
6. Exact ties are broken by a shuffle seeded by the responder (factors.tie_order): stable
   for one responder, different between responders, and never by account age.

Nobody can pay for a place: nothing about money enters the score except whether the
responder can pay the therapist the way they said.
"""

from __future__ import annotations

from collections.abc import Mapping

from matching.scoring import factors
from matching.scoring.alliance import checkins_for
from matching.scoring.calibration import ceilings
from matching.scoring.components import calibrate, raw_components
from matching.scoring.types import Candidate, Rules, Score, Seeker
from matching.scoring.words import NOT_ENOUGH_CHECKINS


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
    measured = checkins_for(candidate, seeker.service)
    load = factors.request_load(
        candidate.pending_requests, candidate.open_slots, rules.pending_requests_per_opening
    )
    return Score(
        therapist_id=candidate.therapist_id,
        total=float(factors.total(component.points for component in components)),
        components=components,
        alliance_source=(
            f"Rated by {measured.count} responders in check-ins after a match"
            if measured is not None
            else NOT_ENOUGH_CHECKINS
        ),
        order_share=float(factors.load_order_share(load)),
    )
