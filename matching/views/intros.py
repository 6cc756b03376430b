"""Intro requests: a responder reaches out, the therapist reads and answers."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from matching.forms.intros import IntroAnswerForm, IntroRequestForm
from matching.intake import Intake
from matching.models import IntroRequest
from matching.selectors.intros import intro_refusal_reason
from matching.services import intros
from profiles import choices
from profiles.decorators import mfa_required, role_required
from profiles.models import ResponderProfile, User
from profiles.selectors import therapists_listed

responder_only = role_required(User.Role.RESPONDER)
therapist_only = role_required(User.Role.THERAPIST)
therapist_mfa = mfa_required("Set up two-factor authentication before you read intro requests.")


def _get_intro_for_responder(user: User, public_id: uuid.UUID) -> IntroRequest:
    """The signed-in responder's own request; 404 for anyone else's."""
    return get_object_or_404(
        IntroRequest.objects.select_related("therapist"), public_id=public_id, responder__user=user
    )


def _get_intro_for_therapist(user: User, public_id: uuid.UUID) -> IntroRequest:
    """A request sent to the signed-in therapist; 404 for anyone else's."""
    return get_object_or_404(
        IntroRequest.objects.select_related("responder"), public_id=public_id, therapist__user=user
    )


def _hours(intro: IntroRequest) -> list[str]:
    return [label for value, label in choices.Hours.choices if value in intro.contact_hours]


@require_http_methods(["GET", "HEAD", "POST"])
@responder_only
@never_cache
def intro_new(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The form to ask a listed therapist for an introduction."""
    therapist = get_object_or_404(therapists_listed(), public_id=public_id)
    responder = get_object_or_404(ResponderProfile, user=request.user)
    intake = Intake.from_dict(responder.answers)
    if not intake.is_ready:
        messages.info(request, "Tell us which state you live in first.")
        return redirect("matching:intake_step", step="place")
    refusal = intro_refusal_reason(therapist=therapist, state=intake.state)
    if refusal:
        return render(
            request,
            "matching/intro_new.html",
            {"therapist": therapist, "refusal": refusal},
        )
    form = IntroRequestForm(request.POST or None, initial={"token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intro = intros.intro_create(
                responder=responder,
                state=intake.state,
                therapist_public_id=therapist.public_id,
                submission_token=data["token"],
                message=data["message"],
                contact_method=data["contact_method"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                contact_hours=frozenset(data["contact_hours"]),
                between_shifts=data["between_shifts"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your request to {therapist.full_name} is on its way.")
            return redirect("matching:my_intro", public_id=intro.public_id)
    return render(
        request,
        "matching/intro_new.html",
        {"form": form, "therapist": therapist, "expiry_hours": settings.INTRO_EXPIRY_HOURS},
    )


@require_safe
@responder_only
@never_cache
def my_intros(request: HttpRequest) -> HttpResponse:
    """The responder's requests and their answers."""
    requests = IntroRequest.objects.filter(responder__user=request.user).select_related("therapist")
    return render(request, "matching/my_intros.html", {"intros": requests})


@require_safe
@responder_only
@never_cache
def my_intro(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_responder(request.user, public_id)
    return render(request, "matching/my_intro.html", {"intro": intro, "intro_hours": _hours(intro)})


@require_POST
@responder_only
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_responder(request.user, public_id)
    try:
        intros.intro_withdraw(intro=intro)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Your request is withdrawn.")
    return redirect("matching:my_intros")


@require_safe
@therapist_only
@therapist_mfa
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests sent to the therapist; opening one shows the message and is audited."""
    requests = IntroRequest.objects.filter(therapist__user=request.user).select_related("responder")
    return render(request, "matching/inbox.html", {"intros": requests})


@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
@therapist_mfa
@never_cache
def inbox_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_therapist(request.user, public_id)
    form = IntroAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intros.intro_answer(
                intro=intro,
                decision=form.cleaned_data["decision"],
                reply=form.cleaned_data["reply"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your answer is sent. The responder is told by email.")
            return redirect("matching:inbox")
    intros.intro_read(intro=intro, user=request.user)
    return render(
        request,
        "matching/inbox_detail.html",
        {"intro": intro, "form": form, "intro_hours": _hours(intro)},
    )
