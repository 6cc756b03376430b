"""Where a therapist lands after signing in: what is waiting for them, then the editor."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from matching.selectors.intros import intros_waiting_for, therapist_takes_requests
from profiles import selectors
from profiles.decorators import role_required
from profiles.forms import ReopenForm
from profiles.models import TherapistProfile, User
from profiles.status import therapist_status


def _get_therapist_for_user(user: User) -> TherapistProfile:
    return get_object_or_404(TherapistProfile, user=user)


@require_safe
@role_required(User.Role.THERAPIST)
@never_cache
def therapist_home(request: HttpRequest) -> HttpResponse:
    """Requests waiting with the time left to answer, openings and reopening, vetting that
    needs them, the editor."""
    therapist = _get_therapist_for_user(request.user)
    taking_clients = therapist.accepting_new_clients and therapist.open_slots > 0
    return render(
        request,
        "matching/therapist_home.html",
        {
            "therapist": therapist,
            "waiting": intros_waiting_for(therapist=therapist),
            "vetting_needs": selectors.therapist_vetting_needs(therapist=therapist),
            "status": therapist_status(therapist=therapist),
            "mfa_enabled": is_mfa_enabled(request.user),
            "taking_clients": taking_clients,
            "takes_requests": taking_clients and therapist_takes_requests(therapist=therapist),
            "per_opening": settings.PENDING_REQUESTS_PER_OPENING,
            "reopen_form": ReopenForm(),
            "viewer_zone": selectors.therapist_time_zone(therapist=therapist),
        },
    )
