from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


def _sync_site(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Keep the site's name and domain in step with SITE_URL after every migrate."""
    from django.contrib.sites.models import Site

    from profiles.sites import site_sync

    site_sync(Site, using=using)


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles"

    def ready(self) -> None:
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="rapport_app_role")
        from profiles import selectors

        post_migrate.connect(_sync_site, sender=self, dispatch_uid="profiles-site-sync")
        from profiles.editor import EditorSection, register_section

        for order, (key, title, missing) in enumerate(
            [
                ("identity", "Identity", selectors.identity_missing),
                ("credentials", "Licenses and trainings", selectors.credentials_missing),
                ("experience", "Responder experience", selectors.experience_missing),
                ("clinical", "Clinical focus", selectors.clinical_missing),
                ("practical", "Practical details", selectors.practical_missing),
                ("capacity", "Capacity", selectors.capacity_missing),
            ]
        ):
            register_section(
                EditorSection(
                    key=key,
                    title=title,
                    url_name=f"profiles:{key}",
                    order=order * 10,
                    missing=missing,
                )
            )


def _grant_app_role(using: str, **kwargs: Any) -> None:
    """After every migrate (run as the owner), give DATABASE_APP_ROLE its rights."""
    if settings.DATABASE_APP_ROLE:
        from profiles.services.database_roles import app_role_grant

        app_role_grant(role=settings.DATABASE_APP_ROLE, using=using)
