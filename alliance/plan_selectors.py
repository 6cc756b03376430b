"""Reads about check-in plans for the responder's own page.

Kept apart from alliance/selectors.py while that module is being reworked; it belongs there.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from alliance.models import CheckInPlan
from profiles.models import ResponderProfile

# How long the responder's page says that no more questions will come about a therapist.
ENDED_SHOWN_DAYS = 90
# Stops the responder did not ask for on the check-in pages, so the page tells them.
ENDED_REASONS_SHOWN = (
    CheckInPlan.StopReason.BLOCKED,
    CheckInPlan.StopReason.THERAPIST_CLOSED,
)


def checkin_plans_ended_for(*, responder: ResponderProfile) -> list[CheckInPlan]:
    """The responder's plans stopped lately by a block or by the therapist leaving, newest
    first, with the therapist's name: one query."""
    since = timezone.now() - dt.timedelta(days=ENDED_SHOWN_DAYS)
    return list(
        CheckInPlan.objects.select_related("therapist")
        .filter(
            responder=responder,
            stopped_reason__in=ENDED_REASONS_SHOWN,
            stopped_at__gte=since,
        )
        .order_by("-stopped_at", "-pk")
    )
