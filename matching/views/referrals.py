"""Peer-support referral links: made by anyone, opening the intake with a preset."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from matching.forms.referral import ReferralLinkForm
from matching.intake import Intake
from matching.referrals import Referral, referral_from_token, referral_token
from matching.selectors.intake import intake_for_request
from matching.services.intake import intake_save
from profiles import choices
from profiles.models import User

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


def _answers_replaced(request: HttpRequest, referral: Referral) -> list[tuple[str, str, str]]:
    """What the link would change in a signed-in responder's saved answers, in words.

    Each row is (question, saved answer, the link's answer). Empty for a visitor, for a
    responder with no saved state, and when the link says what they already said.
    """
    user = request.user
    if not (user.is_authenticated and user.role == User.Role.RESPONDER):
        return []
    saved = intake_for_request(request)
    if not saved.state:
        return []
    services, states = dict(choices.Service.choices), dict(choices.State.choices)
    rows = []
    if saved.state != referral.state:
        rows.append(("State", states.get(saved.state, saved.state), states[referral.state]))
    if referral.service and saved.service != referral.service:
        rows.append(
            ("Service", services.get(saved.service, "Not answered"), services[referral.service])
        )
    return rows


def _render_open(
    request: HttpRequest, token: str, referral: Referral, *, replaced: list, asked: bool = False
) -> HttpResponse:
    return render(
        request,
        "matching/referral_open.html",
        {
            "token": token,
            "service_name": dict(choices.Service.choices).get(referral.service, ""),
            "state_name": choices.State(referral.state).label,
            "replaced": replaced,
            "asked": asked,
        },
    )


@require_safe
def referral_open(request: HttpRequest, token: str) -> HttpResponse:
    """Where a shared link lands; opening it records nothing.

    A signed-in responder whose saved answers the link would change is asked first.
    """
    referral = _get_referral(token)
    return _render_open(request, token, referral, replaced=_answers_replaced(request, referral))


@require_POST
def referral_start(request: HttpRequest, token: str) -> HttpResponse:
    """Start the questions with the link's service and state chosen.

    Saved answers of a signed-in responder are replaced only when they chose so
    (`answers=replace`); `answers=keep` leaves them as they are.
    """
    referral = _get_referral(token)
    replaced = _answers_replaced(request, referral)
    choice = request.POST.get("answers", "")
    if replaced and choice == "keep":
        return redirect("matching:results")
    if replaced and choice != "replace":
        return _render_open(request, token, referral, replaced=replaced, asked=True)
    intake: Intake = intake_for_request(request)
    changes = {"state": referral.state}
    if referral.service:
        changes["service"] = referral.service
    if intake.state != referral.state:
        changes["zip_code"] = ""  # a ZIP code of another state would contradict it
    intake_save(request=request, intake=intake.updated(**changes))
    request.session[PEER_TEAM_SESSION_KEY] = True
    return redirect("matching:intake")
