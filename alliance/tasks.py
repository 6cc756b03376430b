"""Celery tasks of alliance: thin, idempotent, taking ids."""

from __future__ import annotations

from celery import shared_task

from alliance.services.checkins import checkins_email_due
from alliance.services.plans import checkins_stop_notify, checkins_sweep
from profiles.emails import MAIL_TASK_OPTIONS


@shared_task
def email_due_checkins() -> int:
    """Beat: email each due check-in's link once; a second run sends nothing new."""
    return checkins_email_due()


@shared_task
def sweep_checkins() -> dict[str, int]:
    """Beat: expired links move their plan on; each check-in is reminded at most once."""
    return checkins_sweep()


@shared_task(**MAIL_TASK_OPTIONS)
def tell_responder_checkins_stopped(plan_id: int) -> bool:
    """Email a responder that no more questions will come about one therapist; once."""
    return checkins_stop_notify(plan_id=plan_id)
