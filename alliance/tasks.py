"""Celery tasks of alliance: thin, idempotent."""

from __future__ import annotations

from celery import shared_task

from alliance.services.checkins import checkins_email_due


@shared_task
def email_due_checkins() -> int:
    """Beat: email each due check-in's link once; a second run sends nothing new."""
    return checkins_email_due()
