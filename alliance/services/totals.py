"""Released check-in totals (alliance.models.ReleasedTotals), kept equal to the check-ins.

A refresh recomputes one therapist's totals from their answered check-ins and writes only
the rows that differ, so a check-in that closes no batch writes nothing and leaves the
ranking alone. The therapist's row is locked first: two check-ins answered at once for one
therapist refresh one after the other, the second seeing the first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from alliance.aggregation import ITEMS, CheckinTotals, released_totals
from alliance.models import ReleasedTotals
from alliance.selectors import answered_checkins
from profiles.models import TherapistProfile


def _values(totals: CheckinTotals) -> dict[str, int]:
    return {
        "checkins": totals.checkins,
        "responders": totals.responders,
        **{f"{item}_sum": round(totals.sums[item]) for item in ITEMS},
        **{f"{item}_weak": totals.weak[item] for item in ITEMS},
    }


@transaction.atomic
def released_totals_refresh(*, therapist_id: int) -> bool:
    """Store the therapist's released totals as their check-ins give them; True if changed."""
    if not TherapistProfile.objects.select_for_update().filter(pk=therapist_id).exists():
        return False  # the therapist is gone, and their totals with them
    wanted = {
        totals.service: _values(totals)
        for totals in released_totals(
            therapist_id,
            answered_checkins(therapist_id=therapist_id),
            settings.ALLIANCE_MIN_RESPONDERS,
        )
    }
    stored = {row.service: row for row in ReleasedTotals.objects.filter(therapist_id=therapist_id)}
    changed = False
    for service, row in stored.items():
        if service not in wanted:
            row.delete()
            changed = True
    for service, values in wanted.items():
        row = stored.get(service)
        if row is None:
            row = ReleasedTotals(therapist_id=therapist_id, service=service, **values)
        elif all(getattr(row, name) == value for name, value in values.items()):
            continue
        else:
            for name, value in values.items():
                setattr(row, name, value)
        row.full_clean(validate_unique=False)
        row.save()
        changed = True
    return changed


def released_totals_refresh_many(*, therapist_ids: Iterable[int]) -> int:
    """Refresh each therapist's totals (each atomic on its own, or a savepoint in the
    caller's transaction); how many changed.

    In order of id, so two callers locking the same therapists never wait on each other
    in a circle.
    """
    return sum(
        released_totals_refresh(therapist_id=therapist_id)
        for therapist_id in sorted(set(therapist_ids))
    )
