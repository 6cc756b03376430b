"""Celery tasks of profiles: thin, idempotent, taking ids."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from profiles import selectors
from profiles.emails import MAIL_TASK_OPTIONS
from profiles.services import accounts, openings, therapists, vetting


@shared_task(**MAIL_TASK_OPTIONS)
def send_confirmation_reminder(therapist_id: int) -> bool:
    return therapists.therapist_confirmation_remind(therapist_id=therapist_id)


@shared_task
def queue_confirmation_reminders() -> int:
    """Beat: start one reminder task per therapist due one."""
    due = selectors.therapists_due_confirmation_reminder()
    for therapist_id in due:
        send_confirmation_reminder.delay(therapist_id)
    return len(due)


@shared_task(**MAIL_TASK_OPTIONS)
def send_vetting_decision(kind: str, record_id: int) -> bool:
    return vetting.vetting_decision_notify(kind=kind, record_id=record_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_review_again_notice(therapist_id: int) -> bool:
    return therapists.review_again_notify(therapist_id=therapist_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_license_expiry_reminder(license_id: int) -> bool:
    return vetting.license_expiry_remind(license_id=license_id)


@shared_task
def queue_license_expiry_reminders() -> int:
    """Beat: start a reminder task for each license near its expiry."""
    due = selectors.licenses_due_expiry_reminder()
    for license_id in due:
        send_license_expiry_reminder.delay(license_id)
    return len(due)


@shared_task
def clear_expired_sessions() -> None:
    """Beat: delete expired sessions (a visitor's answers among them) from the database."""
    call_command("clearsessions")


@shared_task(**MAIL_TASK_OPTIONS)
def send_login_paused_notice(user_id: int) -> bool:
    return accounts.login_paused_notify(user_id=user_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_openings_closed_notice(therapist_id: int) -> bool:
    return openings.therapist_openings_closed_notify(therapist_id=therapist_id)


@shared_task
def queue_openings_closed_notices() -> int:
    """Beat: email again any therapist whose openings ran out and whose email was lost."""
    due = selectors.therapists_due_openings_closed_notice()
    for therapist_id in due:
        send_openings_closed_notice.delay(therapist_id)
    return len(due)
