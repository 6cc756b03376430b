"""Celery tasks of profiles: thin, idempotent, taking ids."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from profiles import selectors
from profiles.services import therapists


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_confirmation_reminder(therapist_id: int) -> bool:
    return therapists.therapist_confirmation_remind(therapist_id=therapist_id)


@shared_task
def queue_confirmation_reminders() -> int:
    """Beat: start one reminder task per therapist due one."""
    due = selectors.therapists_due_confirmation_reminder()
    for therapist_id in due:
        send_confirmation_reminder.delay(therapist_id)
    return len(due)
