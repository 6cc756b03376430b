"""Reopening to new requests once every opening was taken: from the email's link, or home."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from profiles.decorators import role_required
from profiles.forms import ReopenForm
from profiles.models import TherapistProfile, User
from profiles.services import openings

therapist_only = role_required(User.Role.THERAPIST)


def _reopened_message(open_slots: int) -> str:
    plural = "s" if open_slots != 1 else ""
    return f"You are taking new requests again, with {open_slots} opening{plural}."


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def reopen_link(request: HttpRequest, token: str) -> HttpResponse:
    """The email's one-tap link: shows what it will do; only the POST reopens.

    The signed link itself says who may reopen, so no sign-in is needed for this one
    action; it works once and for a few days (profiles.services.openings).
    """
    therapist = openings.therapist_for_reopen_token(token)
    if therapist is None:
        return render(request, "profiles/openings_link_gone.html", status=410)
    form = ReopenForm(request.POST or None)
    if request.method == "POST":
        return _reopen(request, therapist, form, done="profiles:openings_reopened")
    return _reopen_form(request, therapist, form)


@require_safe
def reopened(request: HttpRequest) -> HttpResponse:
    """Where the link's form lands: the message says what was done."""
    return render(request, "profiles/openings_reopened.html")


@require_POST
@therapist_only
def reopen(request: HttpRequest) -> HttpResponse:
    """The signed-in therapist reopens from their home page."""
    therapist = get_object_or_404(TherapistProfile, user=request.user)
    return _reopen(request, therapist, ReopenForm(request.POST), done="matching:therapist_home")


def _reopen(
    request: HttpRequest, therapist: TherapistProfile, form: ReopenForm, *, done: str
) -> HttpResponse:
    """Reopen with the posted number of openings and go to `done`; an error goes next to the
    field, on a page of the form alone."""
    if form.is_valid():
        try:
            openings.therapist_openings_reopen(
                therapist=therapist, open_slots=form.cleaned_data["open_slots"]
            )
        except ValidationError as error:
            form.add_error("open_slots", error)
        else:
            messages.success(request, _reopened_message(form.cleaned_data["open_slots"]))
            return redirect(done)
    return _reopen_form(request, therapist, form)


def _reopen_form(
    request: HttpRequest, therapist: TherapistProfile, form: ReopenForm
) -> HttpResponse:
    return render(
        request,
        "profiles/openings_reopen.html",
        {"form": form, "therapist": therapist, "action": request.path},
    )
