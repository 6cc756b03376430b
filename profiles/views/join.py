"""The page for therapists: who Rapport is for, what it asks, what it costs, how vetting works
and how long it usually takes, and the sign-up with the therapist role chosen."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from profiles import selectors


@require_safe
def for_therapists(request: HttpRequest) -> HttpResponse:
    """Open to everyone; the figures are the vetting queue's own, over all licenses."""
    times = selectors.license_vetting_times()
    return render(
        request,
        "profiles/for_therapists.html",
        {
            "times": times,
            "median_words": selectors.duration_words(times.median) if times.median else "",
            "min_decisions": selectors.VETTING_TIME_MIN_DECISIONS,
            "intro_expiry_hours": settings.INTRO_EXPIRY_HOURS,
            "confirmation_max_age_days": settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS,
            "min_responders": settings.ALLIANCE_MIN_RESPONDERS,
        },
    )
