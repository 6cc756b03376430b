"""Peer-support referral links: made by anyone, opening the intake with a preset."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from matching.forms.referral import ReferralLinkForm
from matching.referrals import Referral, referral_from_token, referral_token
from matching.selectors.intake import intake_for_request
from matching.services.intake import intake_save
from profiles import choices

PEER_TEAM_SESSION_KEY = "shared_by_peer_team"


@require_http_methods(["GET", "HEAD", "POST"])
def referral_make(request: HttpRequest) -> HttpResponse:
    """A small form: a service and a state give a link to share; nothing is stored."""
    form = ReferralLinkForm(request.POST or None)
    link = ""
    if request.method == "POST" and form.is_valid():
        token = referral_token(
            service=form.cleaned_data["service"], state=form.cleaned_data["state"]
        )
        link = request.build_absolute_uri(reverse("matching:referral_open", args=[token]))
    return render(request, "matching/referral_make.html", {"form": form, "link": link})


def _get_referral(token: str) -> Referral:
    referral = referral_from_token(token)
    if referral is None:
        raise Http404("This link is not valid.")
    return referral


@require_safe
def referral_open(request: HttpRequest, token: str) -> HttpResponse:
    """Where a shared link lands; opening it records nothing."""
    referral = _get_referral(token)
    return render(
        request,
        "matching/referral_open.html",
        {
            "token": token,
            "service_name": dict(choices.Service.choices).get(referral.service, ""),
            "state_name": choices.State(referral.state).label,
        },
    )


@require_POST
def referral_start(request: HttpRequest, token: str) -> HttpResponse:
    """Start the questions with the link's service and state chosen."""
    referral = _get_referral(token)
    intake = intake_for_request(request)
    changes = {"state": referral.state}
    if referral.service:
        changes["service"] = referral.service
    if intake.state != referral.state:
        changes["zip_code"] = ""  # a ZIP code of another state would contradict it
    intake_save(request=request, intake=intake.updated(**changes))
    request.session[PEER_TEAM_SESSION_KEY] = True
    return redirect("matching:intake")
