from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance.forms import CHECKIN_ITEMS, AllianceApproachForm, CheckInForm
from alliance.models import WELLBEING_FIELDS, CheckIn
from alliance.selectors import (
    alliance_approach_for,
    checkin_by_token,
    staff_alliance_view,
    therapist_alliance_view,
)
from alliance.services.approach import alliance_approach_update
from alliance.services.checkins import (
    SNOOZES_MAX,
    checkin_answer,
    checkin_skip,
    checkin_snooze,
    checkins_stop,
)
from profiles.decorators import mfa_required, role_required, staff_required
from profiles.drafts import form_for_request, keeps_drafts
from profiles.editor import editor_context
from profiles.models import ResponderProfile, TherapistProfile, User
from profiles.views.editor import announce_saved


@keeps_drafts
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(User.Role.THERAPIST)
def edit(request: HttpRequest) -> HttpResponse:
    """The alliance section of the therapist's profile editor."""
    therapist = get_object_or_404(TherapistProfile, user=request.user)
    form = form_for_request(
        request, AllianceApproachForm, instance=alliance_approach_for(therapist=therapist)
    )
    if request.method == "POST" and form.is_valid():
        alliance_approach_update(therapist=therapist, fields=form.approach_fields())
        announce_saved(request, therapist, "Alliance saved.")
        return redirect("alliance:edit")
    context = editor_context(therapist, form=form, section="alliance", title="Alliance")
    return render(request, "profiles/section_form.html", context)


def _responder_for(request: HttpRequest) -> ResponderProfile:
    return get_object_or_404(ResponderProfile, user=request.user)


def _get_checkin_for_user(request: HttpRequest, public_id: uuid.UUID) -> CheckIn:
    """The responder's own check-in; anyone else's is not found."""
    return get_object_or_404(
        CheckIn.objects.select_related("plan__therapist"),
        public_id=public_id,
        plan__responder__user=request.user,
    )


def _checkin_page(
    request: HttpRequest, checkin: CheckIn, responder: ResponderProfile
) -> HttpResponse:
    """Show a due check-in's questions, or record the answers sent."""
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["met"] == "not_yet":
                checkin_snooze(checkin=checkin, responder=responder)
                checkin.refresh_from_db()
                if checkin.status == CheckIn.Status.STOPPED:
                    messages.info(request, "We will stop asking about this therapist.")
                else:
                    messages.info(request, "We will ask again in a week.")
                return redirect("matching:me")
            checkin_answer(
                checkin=checkin,
                responder=responder,
                ratings=form.ratings,
                still_seeing=form.cleaned_data["still_seeing"] == "yes",
                note=form.cleaned_data["note"],
                shared=form.cleaned_data["shared"],
                wellbeing=form.wellbeing,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("alliance:checkin_done", public_id=checkin.public_id)
    return render(
        request,
        "alliance/checkin.html",
        {
            "form": form,
            "checkin": checkin,
            "therapist": checkin.plan.therapist,
            "snoozes_left": SNOOZES_MAX - checkin.snoozes,
            "min_responders": settings.ALLIANCE_MIN_RESPONDERS,
            "wellbeing_first": WELLBEING_FIELDS[0],
            "wellbeing_last": WELLBEING_FIELDS[-1],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(User.Role.RESPONDER)
def checkin_link(request: HttpRequest, token: str) -> HttpResponse:
    """A check-in opened from its email; a forged, expired or used link records nothing."""
    responder = _responder_for(request)
    checkin = checkin_by_token(token=token, responder=responder)
    if checkin is None:
        return render(request, "alliance/checkin_link_dead.html", status=410)
    return _checkin_page(request, checkin, responder)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(User.Role.RESPONDER)
def checkin(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A due check-in opened from the responder's own page."""
    checkin = _get_checkin_for_user(request, public_id)
    if checkin.status != CheckIn.Status.DUE or checkin.due_at > timezone.now():
        return render(request, "alliance/checkin_link_dead.html", status=410)
    return _checkin_page(request, checkin, _responder_for(request))


CHECKIN_ACTIONS = {
    "snooze": (checkin_snooze, "We will ask again in a week."),
    "skip": (checkin_skip, "Skipped. The next check-in comes as planned."),
    "stop": (checkins_stop, "No more check-ins about this therapist."),
}


@require_POST
@role_required(User.Role.RESPONDER)
def checkin_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    """Snooze, skip or stop: from the check-in page or the responder's page."""
    if action not in CHECKIN_ACTIONS:
        raise Http404
    checkin = _get_checkin_for_user(request, public_id)
    service, done = CHECKIN_ACTIONS[action]
    try:
        service(checkin=checkin, responder=_responder_for(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("matching:me")


@require_safe
@role_required(User.Role.RESPONDER)
def checkin_done(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Thanks; after a weak check-in, a kind page with other matches one click away."""
    checkin = _get_checkin_for_user(request, public_id)
    if checkin.status != CheckIn.Status.ANSWERED:
        raise Http404
    therapist = checkin.plan.therapist
    rematch = reverse("matching:results") + "?" + urlencode({"without": therapist.public_id})
    return render(
        request,
        "alliance/checkin_weak.html" if checkin.weak else "alliance/checkin_thanks.html",
        {
            "checkin": checkin,
            "therapist": therapist,
            "rematch_url": rematch,
            "min_responders": settings.ALLIANCE_MIN_RESPONDERS,
        },
    )


@require_safe
@role_required(User.Role.THERAPIST)
@mfa_required("Set up two-factor authentication before you read responders' check-ins.")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The therapist's measured alliance, from the minimum count on, and shared check-ins.

    Pseudonyms, dates and shared answers: behind two-factor, as intro requests are.
    """
    therapist = get_object_or_404(TherapistProfile, user=request.user)
    return render(
        request,
        "alliance/dashboard.html",
        {"view": therapist_alliance_view(therapist=therapist), "items": CHECKIN_ITEMS},
    )


@require_safe
@staff_required
def staff_overview(request: HttpRequest) -> HttpResponse:
    """Aggregates only, and therapists well below the rest, for a conversation."""
    return render(request, "alliance/staff.html", {"view": staff_alliance_view()})
