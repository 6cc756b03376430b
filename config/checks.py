"""System checks that keep a production deploy from starting half-configured.

With DEBUG off, Rapport must have Redis (cache, sessions, rate limits shared by every
process), a broker other than the file queue, and an SMTP host. Without one, the site
would still answer, but cache per process, queue on one machine's disk and write mail to
files no one reads. Each check fails with one line naming the variable, unless the
matching ALLOW_* setting says the embedded stand-in is intended.

`manage.py check` (and so `migrate`) runs them; gunicorn (config/wsgi.py) and the Celery
worker and beat (config/celery.py) run every check at start-up and stop on any error.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks

logger = logging.getLogger("rapport.startup")


@register(Tags.compatibility)
def production_services_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """In production, require Redis, a real broker and an SMTP host, or an explicit ALLOW_*."""
    if settings.DEBUG:
        return []
    errors = []
    if not settings.REDIS_URL and not settings.ALLOW_LOCAL_CACHE:
        errors.append(
            Error(
                "REDIS_URL is not set: each process would keep its own cache, sessions and "
                "rate limits.",
                hint="Set REDIS_URL, or ALLOW_LOCAL_CACHE=true for a single-process trial.",
                id="rapport.E001",
            )
        )
    if settings.CELERY_BROKER_URL.startswith(("filesystem://", "memory://")) and not (
        settings.ALLOW_FILESYSTEM_BROKER
    ):
        errors.append(
            Error(
                "CELERY_BROKER_URL is not set: tasks would queue in files on this machine.",
                hint="Set CELERY_BROKER_URL (redis://...), or ALLOW_FILESYSTEM_BROKER=true "
                "for a single-machine trial.",
                id="rapport.E002",
            )
        )
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend") and not settings.ALLOW_FILE_EMAIL:
        errors.append(
            Error(
                "EMAIL_HOST is not set: emails would be written to files, never sent.",
                hint="Set EMAIL_HOST and the EMAIL_* variables, or ALLOW_FILE_EMAIL=true.",
                id="rapport.E003",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def shared_documents_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when documents live on this machine's disk: other web machines cannot read them."""
    if settings.PRIVATE_FILES_S3_BUCKET:
        return []
    return [
        Warning(
            "Evidence documents are kept in PRIVATE_FILES_DIR on this machine: web processes "
            "on other machines cannot read them, and a database dump does not hold them.",
            hint="Set PRIVATE_FILES_S3_BUCKET for shared storage, or silence rapport.W001 "
            "when every web process runs on this one machine.",
            id="rapport.W001",
        )
    ]


def refuse_to_start_when_misconfigured(process: str) -> None:
    """Run every system check; log one line per error and exit if there is any."""
    errors = [
        message
        for message in run_checks(include_deployment_checks=False)
        if message.is_serious() and not message.is_silenced()
    ]
    if not errors:
        return
    for message in errors:
        logger.critical("%s refuses to start: %s: %s", process, message.id, message.msg)
    sys.exit(3)
