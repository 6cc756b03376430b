from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config.views import health_live, health_ready, healthz, session_status, session_stay
from matching.views import pages
from profiles.views import mfa

urlpatterns = [
    path("", pages.home, name="home"),
    path("", include("matching.urls")),
    path("", include("profiles.urls")),
    path("", include("alliance.urls")),
    # allauth's two-factor set-up and recovery codes, keeping where the person was going.
    path("accounts/2fa/totp/activate/", mfa.activate_totp, name="mfa_activate_totp"),
    path("accounts/2fa/recovery-codes/", mfa.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("accounts/", include("allauth.urls")),
    path("help-now/", TemplateView.as_view(template_name="crisis.html"), name="crisis"),
    path("session/status/", session_status, name="session_status"),
    path("session/stay/", session_stay, name="session_stay"),
    path("healthz/", healthz, name="healthz"),
    path("health/live/", health_live, name="health_live"),
    path("health/ready/", health_ready, name="health_ready"),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
