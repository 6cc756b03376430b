from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from profiles import services
from profiles.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Give each new account its role and its profile, and send each role to its home."""

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        data = form.cleaned_data
        user.role = data["role"]
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=True)
            services.account_profile_create(
                user=user,
                role=user.role,
                pseudonym=data.get("pseudonym", ""),
                full_name=data.get("full_name", ""),
                session=request.session,
            )
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_staff:
            return reverse("admin:index")
        if getattr(user, "role", "") == User.Role.THERAPIST:
            return reverse("profiles:editor")
        return super().get_login_redirect_url(request)
