"""Emailing once, when a state first has a therapist, those who asked; then forgetting them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from matching.models import CoverageWatch
from matching.selectors.coverage import state_has_coverage, states_with_coverage
from profiles import choices
from profiles.emails import send_templated_email


def _queue_coverage_notice(watch_id: int) -> None:
    from matching.tasks import notify_coverage_watch

    notify_coverage_watch.delay(watch_id)


@transaction.atomic
def coverage_watch_create(*, state: str, email: str) -> CoverageWatch:
    """Keep an address, encrypted, to email once when the state's first therapist is listed."""
    if state_has_coverage(state=state):
        raise ValidationError("Therapists are already listed in this state.")
    watch = CoverageWatch(state=state, email=email.strip())
    watch.full_clean()
    watch.save()
    return watch


def coverage_watch_notify(*, watch_id: int) -> bool:
    """Send the one email and delete the address; does nothing if already sent."""
    with transaction.atomic():
        watch = CoverageWatch.objects.select_for_update().filter(pk=watch_id).first()
        if watch is None or not state_has_coverage(state=watch.state):
            return False
        send_templated_email(
            to=watch.email,
            template="coverage-open",
            context={
                "state_name": choices.State(watch.state).label,
                "find_path": reverse("matching:intake"),
            },
        )
        watch.delete()
        return True


def coverage_sweep() -> int:
    """Beat: queue the email of every address whose state now has a therapist."""
    waiting = dict(CoverageWatch.objects.values_list("pk", "state"))
    covered = states_with_coverage(states=set(waiting.values()))
    due = [pk for pk, state in waiting.items() if state in covered]
    for pk in due:
        _queue_coverage_notice(pk)
    return len(due)
