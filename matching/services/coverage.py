"""Emailing once, when a state first has a therapist, those who asked; then forgetting them."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac

from matching.models import CoverageWatch
from matching.selectors.coverage import state_has_coverage, states_with_coverage
from profiles import choices
from profiles.emails import send_templated_email


def _queue_coverage_notice(watch_id: int) -> None:
    from matching.tasks import notify_coverage_watch

    notify_coverage_watch.delay(watch_id)


# Asks a day for one address, and an hour from one client (its address, as allauth counts
# it behind TRUSTED_PROXY_COUNT proxies). One person needs one; a few cover a typo.
COVERAGE_WATCH_PER_ADDRESS_PER_DAY = 3
COVERAGE_WATCH_PER_CLIENT_PER_HOUR = 10


class CoverageWatchLimited(Exception):
    """Too many asks, for one address or from one client; nothing was stored."""


def coverage_email_key(email: str) -> str:
    """The keyed hash (HMAC-SHA256 under SECRET_KEY) an address is known by until sent."""
    return salted_hmac(
        "rapport.coverage-watch", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def _within_limit(*, key: str, limit: int, seconds: int) -> bool:
    """Count one ask in a fixed window of `seconds`; True while at most `limit` were made."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between add and incr: this is its first ask
        cache.set(key, 1, seconds)
        return True


@transaction.atomic
def coverage_watch_create(*, state: str, email: str, client_address: str) -> CoverageWatch:
    """Keep an address, encrypted, to email once when the state's first therapist is listed.

    Giving the same address for the same state again keeps the one row there is (and says
    nothing different, so the page tells no one what was asked before). Raises
    CoverageWatchLimited past COVERAGE_WATCH_PER_CLIENT_PER_HOUR asks from one client or
    COVERAGE_WATCH_PER_ADDRESS_PER_DAY for one address.
    """
    if state_has_coverage(state=state):
        raise ValidationError("Therapists are already listed in this state.")
    email_key = coverage_email_key(email)
    client_key = salted_hmac("rapport.coverage-client", client_address, algorithm="sha256")
    if not _within_limit(
        key=f"coverage-watch:client:{client_key.hexdigest()}",
        limit=COVERAGE_WATCH_PER_CLIENT_PER_HOUR,
        seconds=3600,
    ) or not _within_limit(
        key=f"coverage-watch:address:{email_key}",
        limit=COVERAGE_WATCH_PER_ADDRESS_PER_DAY,
        seconds=86400,
    ):
        raise CoverageWatchLimited
    existing = CoverageWatch.objects.filter(state=state, email_key=email_key).first()
    if existing is not None:
        return existing
    watch = CoverageWatch(state=state, email=email.strip(), email_key=email_key)
    watch.full_clean(validate_constraints=False)
    # Two asks at once: the constraint keeps one, and the other finds it.
    CoverageWatch.objects.bulk_create([watch], ignore_conflicts=True)
    return CoverageWatch.objects.get(state=state, email_key=email_key)


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
