"""Celery tasks of matching: thin, idempotent, taking ids."""

from __future__ import annotations

from celery import shared_task

from matching.services import coverage, intros, threads
from matching.services.ranking_changes import ranking_changes_prune
from profiles.emails import MAIL_TASK_OPTIONS


@shared_task(**MAIL_TASK_OPTIONS)
def deliver_intro(intro_id: int) -> bool:
    """Email the therapist that an intro request waits; a second run sends nothing."""
    return intros.intro_deliver(intro_id=intro_id)


@shared_task(**MAIL_TASK_OPTIONS)
def notify_responder(intro_id: int) -> bool:
    """Email the responder that their request was answered or expired, once."""
    return intros.intro_notify_responder(intro_id=intro_id)


@shared_task
def sweep_intros() -> dict[str, int]:
    """Beat: expire old requests; queue again what is not delivered or not notified."""
    return intros.intro_sweep()


@shared_task
def prune_ranking_changes() -> int:
    """Beat: drop the ranking's change feed rows older than it keeps."""
    return ranking_changes_prune()


@shared_task(**MAIL_TASK_OPTIONS)
def tell_therapist_a_request_was_withdrawn(therapist_id: int) -> bool:
    """Email a therapist that a request to them was withdrawn, without any detail."""
    return intros.intro_withdrawn_notify(therapist_id=therapist_id)


@shared_task(**MAIL_TASK_OPTIONS)
def notify_intro_message(message_id: int) -> bool:
    """Email the other side of an intro that a message waits; a second run sends nothing."""
    return threads.thread_message_notify(message_id=message_id)


@shared_task
def sweep_intro_messages() -> int:
    """Beat: queue again the notice of any message not emailed after a few minutes."""
    return threads.thread_notify_sweep()


@shared_task(**MAIL_TASK_OPTIONS)
def notify_coverage_watch(watch_id: int) -> bool:
    """Email one address that its state has a therapist now, then delete it."""
    return coverage.coverage_watch_notify(watch_id=watch_id)


@shared_task
def sweep_coverage_watches() -> int:
    """Beat: queue the email of every address whose state now has a therapist."""
    return coverage.coverage_sweep()
