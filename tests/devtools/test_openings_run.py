"""The seeded run behind the README's capacity figures: the rules hold, and cost little."""

from __future__ import annotations

import pytest

from devtools.openings_run import measure, summary_lines
from profiles.models import TherapistProfile

# What the README states: with the rules, the mean match score of the therapist asked drops
# by less than this many points (of 100).
MOST_SCORE_DROP_POINTS = 5.0


@pytest.mark.slow
@pytest.mark.django_db
def test_with_the_rules_no_request_goes_beyond_capacity_at_little_cost_in_score() -> None:
    without, with_rules = measure(seeds=[7], responders=60, days=6)
    assert (without.rules, with_rules.rules) == (False, True)
    assert without.beyond_capacity > 0  # the demo's top therapists are asked far too often
    assert with_rules.beyond_capacity == 0
    assert with_rules.refused == 0  # the list never showed anyone who could not be asked
    assert with_rules.top_five_share < without.top_five_share  # responders spread
    assert without.mean_score - with_rules.mean_score < MOST_SCORE_DROP_POINTS
    assert len(summary_lines([without, with_rules])) == 5
    assert not TherapistProfile.objects.exists()  # every run was rolled back
