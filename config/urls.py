from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config.views import health_live, health_ready, healthz
from matching.views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("", include("matching.urls")),
    path("", include("profiles.urls")),
    path("", include("alliance.urls")),
    path("accounts/", include("allauth.urls")),
    path("help-now/", TemplateView.as_view(template_name="crisis.html"), name="crisis"),
    path("healthz/", healthz, name="healthz"),
    path("health/live/", health_live, name="health_live"),
    path("health/ready/", health_ready, name="health_ready"),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
