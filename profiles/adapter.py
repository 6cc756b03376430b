from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.internal.ratelimit import get_cache_key, get_rates
from django.core.cache import cache
from django.core.exceptions import ValidationError
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

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse a sign-in past the failed-login limits; tell the owner of a spent day."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            self._tell_owner_if_the_day_is_spent(request, credentials)
            raise

    def _tell_owner_if_the_day_is_spent(self, request: HttpRequest, credentials: dict) -> None:
        """Queue one email a day to the account whose daily budget of failed logins is spent.

        The longest per-account rate of "login_failed" is the day's budget. Its history in
        the cache says whether that rate (not the minute's) is what refused. The address is
        looked up for a known and an unknown one alike, and the email goes by a task, so
        the refusal does not wait for a mail server; an unknown address gets nothing.
        """
        key = self._get_login_attempts_cache_key(request, **credentials)
        login = credentials.get("email", credentials.get("username", "")).strip()
        rates = get_rates(app="allauth.account", action="login_failed")
        per_account = [rate for rate in rates if rate.per == "key"]
        if not login or not per_account:
            return
        day = max(per_account, key=lambda rate: rate.duration)
        history_key = get_cache_key(
            request, app="allauth.account", action="login_failed", rate=day, key=key
        )
        if len(cache.get(history_key, [])) < day.amount:
            return
        user_id = (
            EmailAddress.objects.filter(email__iexact=login)
            .values_list("user_id", flat=True)
            .first()
        ) or User.objects.filter(email__iexact=login).values_list("pk", flat=True).first()
        if user_id is None or not cache.add(f"login-budget-told:{user_id}", 1, day.duration):
            return
        from profiles.tasks import send_login_paused_notice

        send_login_paused_notice.delay(user_id)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Ask for the password again only when the person did not just give it.

        allauth counts only an earlier "Confirm it is you", so a therapist sent to set up
        two-factor right after signing in would type the password twice within a minute. A
        sign-in or a two-factor code within allauth's reauthentication timeout counts too.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not _authenticated_recently(context.request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return home_for(request.user) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return home_for(request.user, new=True) or super().get_signup_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address: Any) -> str:
        return home_for(email_address.user, new=True) or (
            super().get_email_verification_redirect_url(email_address)
        )


def _authenticated_recently(request: HttpRequest | None) -> bool:
    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


def home_for(user: Any, *, new: bool = False) -> str:
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
