"""Honest coverage: a state without therapists is said plainly, with a way to hear of one."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from matching.forms.coverage import CoverageWatchForm
from matching.selectors.intake import intake_for_request
from matching.services import coverage


@require_http_methods(["GET", "HEAD", "POST"])
def coverage_watch(request: HttpRequest) -> HttpResponse:
    """Ask to be emailed once when the first therapist licensed in a state is listed."""
    intake = intake_for_request(request)
    form = CoverageWatchForm(request.POST or None, initial={"state": intake.state})
    if request.method == "POST" and form.is_valid():
        try:
            coverage.coverage_watch_create(
                state=form.cleaned_data["state"],
                email=form.cleaned_data["email"],
                client_address=get_adapter().get_client_ip(request),
            )
        except ValidationError as error:
            form.add_error("state", error)
        except coverage.CoverageWatchLimited:
            form.add_error(
                None,
                "We have had too many of these requests, for this address or from this "
                "connection. Nothing was saved; please try again tomorrow.",
            )
            return render(request, "matching/coverage_watch.html", {"form": form}, status=429)
        else:
            return redirect("matching:coverage_watch_done")
    return render(request, "matching/coverage_watch.html", {"form": form})


@require_safe
def coverage_watch_done(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/coverage_watch_done.html")
