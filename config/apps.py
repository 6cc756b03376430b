from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class RapportAdminConfig(AdminConfig):
    """Django's admin, on a site that requires two-factor authentication."""

    default_site = "config.admin.RapportAdminSite"
