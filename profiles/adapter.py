from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from profiles.models import User
from profiles.services import accounts


class AccountAdapter(DefaultAccountAdapter):
    """Give each new account its role and its profile, and send each role to its home."""

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        data = form.cleaned_data
        user.role = data["role"]
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=True)
            accounts.account_profile_create(
                user=user,
                role=user.role,
                pseudonym=data.get("pseudonym", ""),
                full_name=data.get("full_name", ""),
                session=request.session,
            )
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return _home_for(request.user) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return _home_for(request.user, new=True) or super().get_signup_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address: Any) -> str:
        return _home_for(email_address.user, new=True) or (
            super().get_email_verification_redirect_url(email_address)
        )


def _home_for(user: Any, *, new: bool = False) -> str:
    """Where each role starts after signing in; empty for the default.

    A therapist lands on what waits for them; a new one, with nothing waiting yet, goes
    straight to the profile editor.
    """
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_staff:
        return reverse("profiles:vetting_queue")
    if user.role == User.Role.THERAPIST:
        return reverse("profiles:editor" if new else "matching:therapist_home")
    if user.role == User.Role.RESPONDER:
        return reverse("matching:me")
    return ""
