"""Writes for accounts: the profile each new account gets, a responder's name and answers."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction

from profiles.crypto import DecryptionError, decrypt_text, encrypt_text
from profiles.models import ResponderProfile, TherapistProfile, User

# The intake answers a visitor gives before having an account, encrypted in the session.
ANSWERS_SESSION_KEY = "rapport_answers"


def answers_to_session(*, session: SessionBase, answers: dict[str, Any]) -> None:
    """Keep a visitor's answers in their session, encrypted like everything they tell us."""
    session[ANSWERS_SESSION_KEY] = encrypt_text(json.dumps(answers, sort_keys=True))


def answers_from_session(*, session: SessionBase) -> dict[str, Any]:
    token = session.get(ANSWERS_SESSION_KEY)
    if not token:
        return {}
    try:
        return json.loads(decrypt_text(token))
    except (DecryptionError, ValueError):
        session.pop(ANSWERS_SESSION_KEY, None)
        return {}


@transaction.atomic
def account_profile_create(
    *,
    user: User,
    role: str,
    pseudonym: str = "",
    full_name: str = "",
    session: SessionBase | None = None,
) -> ResponderProfile | TherapistProfile:
    """Create the profile that goes with a new account, carrying over answers from the session."""
    if role == User.Role.RESPONDER:
        answers = answers_from_session(session=session) if session is not None else {}
        profile: ResponderProfile | TherapistProfile = ResponderProfile(
            user=user, pseudonym=pseudonym.strip(), answers=answers
        )
    elif role == User.Role.THERAPIST:
        profile = TherapistProfile(user=user, full_name=full_name.strip())
    else:
        raise ValidationError("Only responders and therapists sign up; staff are made by staff.")
    profile.full_clean()
    profile.save()
    if session is not None:
        session.pop(ANSWERS_SESSION_KEY, None)
    return profile


@transaction.atomic
def responder_answers_update(*, profile: ResponderProfile, answers: dict[str, Any]) -> None:
    """Keep the answers; answers that are what is stored already are not written again."""
    stored = ResponderProfile.objects.select_for_update().only("answers").get(pk=profile.pk)
    if stored.answers == answers:
        return
    profile.answers = answers
    profile.save(update_fields=["answers", "updated_at"])


@transaction.atomic
def responder_pseudonym_update(*, profile: ResponderProfile, pseudonym: str) -> None:
    # Compared with the stored row: a ModelForm has already set its value on `profile`.
    stored = ResponderProfile.objects.select_for_update().only("pseudonym").get(pk=profile.pk)
    if stored.pseudonym == pseudonym.strip():
        return
    profile.pseudonym = pseudonym.strip()
    profile.full_clean()
    profile.save(update_fields=["pseudonym", "updated_at"])


def login_paused_notify(*, user_id: int) -> bool:
    """Email an account's owner that its daily budget of failed sign-ins is spent.

    Says what happened, until when, and that a password reset lifts the pause; nothing of
    who tried or from where. (Sent at most once a day: the adapter queues it once.)
    """
    from django.conf import settings
    from django.urls import reverse

    from profiles.emails import send_templated_email

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    send_templated_email(
        to=user.email,
        template="login-paused",
        context={
            "attempts": settings.LOGIN_FAILED_PER_ACCOUNT_PER_DAY,
            "reset_path": reverse("account_reset_password"),
        },
    )
    return True
