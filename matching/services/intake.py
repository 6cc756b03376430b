"""Keep a responder's intake answers, and clear them."""

from __future__ import annotations

from django.http import HttpRequest

from matching.intake import Intake
from profiles.models import ResponderProfile, User
from profiles.services import accounts


def intake_save(*, request: HttpRequest, intake: Intake) -> None:
    """Keep the answers: in a signed-in responder's profile, otherwise in the session."""
    user = request.user
    if user.is_authenticated and user.role == User.Role.RESPONDER:
        profile = ResponderProfile.objects.get(user=user)
        accounts.responder_answers_update(profile=profile, answers=intake.to_dict())
    else:
        accounts.answers_to_session(session=request.session, answers=intake.to_dict())
        if not user.is_authenticated:
            # A visitor's answers last until the browser closes, not for weeks on a
            # shared computer.
            request.session.set_expiry(0)


def intake_clear(*, request: HttpRequest) -> None:
    """Forget the answers: a signed-in responder's, or everything of a visitor's session."""
    user = request.user
    if user.is_authenticated and user.role == User.Role.RESPONDER:
        profile = ResponderProfile.objects.get(user=user)
        accounts.responder_answers_update(profile=profile, answers={})
    elif user.is_authenticated:
        request.session.pop(accounts.ANSWERS_SESSION_KEY, None)
    else:
        request.session.flush()
