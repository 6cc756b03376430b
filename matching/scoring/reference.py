"""The reference ranking, for tests: every candidate scored one by one with its reasons.

The ranked list orders whole states over columns (matching/ranking/kernels.py); the tests
compare it with this slow, obviously correct order on random data.
"""

from __future__ import annotations

from collections.abc import Iterable

from matching.scoring import factors
from matching.scoring.calibration import ceilings
from matching.scoring.eligibility import is_eligible, takes_requests_now
from matching.scoring.total import score
from matching.scoring.types import Candidate, Rules, Score, Seeker


def rank(seeker: Seeker, candidates: Iterable[Candidate], rules: Rules) -> list[Score]:
    """Score the eligible candidates who may be asked now and order them: highest order value
    (the score, a little less near a therapist's limit) first, exact ties shuffled for this
    responder."""
    ceiling = ceilings(seeker, rules)
    scores = [
        score(seeker, c, rules, ceiling=ceiling)
        for c in candidates
        if is_eligible(seeker, c, rules)
        and takes_requests_now(
            pending_requests=c.pending_requests, open_slots=c.open_slots, rules=rules
        )
    ]
    scores.sort(
        key=lambda s: (-s.order_value, int(factors.tie_order(seeker.tie_seed, s.therapist_id)))
    )
    return scores
