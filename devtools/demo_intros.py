"""Demo only: give the demo's accepted intros the snapshot every new intro keeps.

The demo seeds accepted intros and their check-ins directly (matching/management/commands/
seed_demo.py), dated weeks and months back, so they have no snapshot. This takes one for
each through the product's own service (matching.services.snapshots.intro_snapshot_take),
from the demo responder's saved answers, so the staff report "Does the ranking work?" has
something to show. The snapshots are taken when the demo is seeded, after the check-ins
they are compared with (which already move the measured alliance in the score), so the
demo report shows how the page reads, not whether the ranking works. All fictional.
"""

from __future__ import annotations

from django.db import transaction

from matching.intake import Intake
from matching.models import IntroRequest
from matching.services.snapshots import intro_snapshot_take

DEMO_DOMAIN = "demo.rapport.localhost"
DEMO_INTRO_STATE = "CO"  # where the demo check-in responders live


@transaction.atomic
def demo_intro_snapshots() -> int:
    """Take a snapshot for every demo intro that has none; running it again adds nothing.

    Only intros with therapists licensed in the demo responders' state (CO): elsewhere the
    score is empty anyway, and each snapshot costs a scoring (about 12 ms).
    """
    intros = (
        IntroRequest.objects.filter(
            responder__user__email__endswith=f"@{DEMO_DOMAIN}",
            snapshot__isnull=True,
            therapist__licenses__state=DEMO_INTRO_STATE,
        )
        .distinct()
        .select_related("responder")
        .order_by("pk")
    )
    taken = 0
    for intro in intros:
        intake = Intake.from_dict(intro.responder.answers)
        intro_snapshot_take(intro=intro, intake=intake, shown_rank=None)
        taken += 1
    return taken
