from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class RapportAdminConfig(AdminConfig):
    """Django's admin, on a site that requires two-factor authentication."""

    default_site = "config.admin.RapportAdminSite"

    def ready(self) -> None:
        super().ready()
        # Rapport's own start-up checks (config is not an app of its own).
        from config import checks  # noqa: F401
