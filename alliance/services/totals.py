"""Released batches and totals (alliance.models.ReleasedBatch, ReleasedTotals).

A refresh does two things for one therapist, under a lock on the therapist's row (two
check-ins answered at once refresh one after the other, the second seeing the first):
1. Release: the answered check-ins not yet placed are placed once and for good. Shared ones
   are withheld from every figure; the others join the open batch, and each batch that
   closes (alliance.batches.closed_batches) is stored with its members and the service
   cells it releases (service_cells). Stored batches are never cut again: not when a
   responder deletes their account (their plans keep their batch key, their check-ins stay
   as anonymous ratings in the batch), not when anything is shared later.
2. Totals: ReleasedTotals are derived from the stored members alone, and only the rows that
   differ are written, so a check-in that closes no batch leaves the ranking alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from alliance.aggregation import ITEMS, CheckinTotals
from alliance.batches import AnsweredCheckin, closed_batches, service_cells, totals_of_members
from alliance.models import CheckIn, CheckInRelease, ReleasedBatch, ReleasedTotals
from alliance.selectors import released_members
from profiles.models import TherapistProfile


def _values(totals: CheckinTotals) -> dict[str, float]:
    return {
        "checkins": totals.checkins,
        "responders": totals.responders,
        **{f"{item}_sum": totals.sums[item] for item in ITEMS},
        **{f"{item}_squares": totals.squares[item] for item in ITEMS},
        **{f"{item}_weak": totals.weak[item] for item in ITEMS},
    }


def _release_waiting(therapist_id: int) -> int:
    """Place the therapist's answered check-ins not yet placed (step 1); batches closed."""
    rows = (
        CheckIn.objects.filter(
            plan__therapist_id=therapist_id,
            status=CheckIn.Status.ANSWERED,
            release__isnull=True,
        )
        .order_by("answered_at", "pk")
        .values_list("pk", "plan__service", "plan__batch_key", "answered_at", "shared", *ITEMS)
    )
    pk_of: dict[int, int] = {}
    waiting: list[AnsweredCheckin] = []
    withheld: list[CheckInRelease] = []
    for pk, service, key, answered_at, shared, *ratings in rows:
        if shared:
            withheld.append(CheckInRelease(checkin_id=pk))
            continue
        checkin = AnsweredCheckin(
            therapist_id=therapist_id,
            service=service,
            responder_key=key,
            answered_epoch=answered_at.timestamp(),
            ratings=dict(zip(ITEMS, ratings, strict=True)),
        )
        pk_of[id(checkin)] = pk
        waiting.append(checkin)
    CheckInRelease.objects.bulk_create(withheld)
    minimum = settings.ALLIANCE_MIN_RESPONDERS
    batches = closed_batches(waiting, minimum)
    if not batches:
        return 0
    last = ReleasedBatch.objects.filter(therapist_id=therapist_id).aggregate(n=Max("number"))["n"]
    now = timezone.now()
    for offset, members in enumerate(batches, start=1):
        batch = ReleasedBatch(
            therapist_id=therapist_id,
            number=(last or 0) + offset,
            released_at=now,
            checkins=len(members),
            responders=len({c.responder_key for c in members}),
        )
        batch.full_clean(validate_unique=False)
        batch.save()
        cell_of = {
            id(checkin): service
            for service, cell in service_cells(members, minimum).items()
            for checkin in cell
        }
        CheckInRelease.objects.bulk_create(
            CheckInRelease(checkin_id=pk_of[id(c)], batch=batch, service=cell_of.get(id(c), ""))
            for c in members
        )
    return len(batches)


@transaction.atomic
def released_totals_refresh(*, therapist_id: int) -> bool:
    """Release what closed and store the totals the stored batches give; True if changed."""
    if not TherapistProfile.objects.select_for_update().filter(pk=therapist_id).exists():
        return False  # the therapist is gone, and their totals with them
    _release_waiting(therapist_id)
    wanted = {
        totals.service: _values(totals)
        for totals in totals_of_members(therapist_id, released_members(therapist_id=therapist_id))
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
