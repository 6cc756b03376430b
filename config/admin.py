"""The admin site, open only to active staff who have two-factor authentication on."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class RapportAdminSite(admin.AdminSite):
    site_header = "Rapport staff"
    site_title = "Rapport staff"
    index_title = "Vetting and accounts"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_mfa_enabled(request.user)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Sign in through Rapport's own login (with its rate limits and two-factor step)."""
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect(reverse("account_login") + "?" + urlencode({"next": next_url}))
        if user.is_active and user.is_staff and not is_mfa_enabled(user):
            messages.info(request, "Staff must set up two-factor authentication to use the admin.")
            return redirect(reverse("mfa_activate_totp") + "?" + urlencode({"next": next_url}))
        return redirect(reverse("home"))
