"""The site's name and domain, which allauth's account emails show: from SITE_URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

SITE_NAME = "Rapport"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).netloc


def site_sync(site_model: Any, using: str = "default") -> None:
    """Name the site Rapport and give it SITE_URL's domain, never Django's example.com."""
    site_model.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": SITE_NAME}
    )
