"""Reads of the alliance app: approaches, check-ins, released totals and the measures made
from them."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, FloatField, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone

from alliance.aggregation import (
    ITEMS,
    CheckinTotals,
    Measures,
    Population,
    PopulationSums,
    measure_totals,
    population_from,
    population_sums,
)
from alliance.batches import AnsweredCheckin
from alliance.models import (
    AllianceApproach,
    CheckIn,
    CheckInRelease,
    ReleasedTotals,
    token_hash,
)
from profiles.models import License, ResponderProfile, TherapistProfile

TOKEN_CHARS_MAX = 100
SHARED_SHOWN_MAX = 50


def alliance_approach_for(*, therapist: TherapistProfile) -> AllianceApproach:
    """The therapist's alliance approach, or an unsaved empty one."""
    approach = AllianceApproach.objects.filter(therapist=therapist).first()
    return approach or AllianceApproach(therapist=therapist)


def alliance_missing(therapist: TherapistProfile) -> list[str]:
    approach = alliance_approach_for(therapist=therapist)
    missing = [f"How you build {label.lower()}" for label in approach.missing_traits]
    if not approach.practices:
        missing.append("At least one practice you follow")
    return missing


def checkin_by_token(*, token: str, responder: ResponderProfile) -> CheckIn | None:
    """The open check-in this emailed link is for, if the link is this responder's and live.

    A forged, expired or used link, or another responder's, gives None alike.
    """
    if not token or len(token) > TOKEN_CHARS_MAX:
        return None
    return (
        CheckIn.objects.select_related("plan__therapist")
        .filter(
            token_hash=token_hash(token),
            token_expires_at__gt=timezone.now(),
            status=CheckIn.Status.DUE,
            plan__stopped_at__isnull=True,
            plan__responder=responder,
        )
        .first()
    )


def checkins_due_for(*, responder: ResponderProfile) -> list[CheckIn]:
    """The responder's check-ins that are due now, oldest first, with the therapist's name."""
    return list(
        CheckIn.objects.select_related("plan__therapist")
        .filter(
            plan__responder=responder,
            plan__stopped_at__isnull=True,
            status=CheckIn.Status.DUE,
            due_at__lte=timezone.now(),
        )
        .order_by("due_at", "pk")
    )


def answered_checkins(*, therapist_id: int | None = None) -> list[AnsweredCheckin]:
    """Every answered check-in (or one therapist's) as the aggregation reads it: one query.

    Each responder is known by their plan's batch key, which a deletion does not change.
    """
    answered = CheckIn.objects.filter(status=CheckIn.Status.ANSWERED)
    if therapist_id is not None:
        answered = answered.filter(plan__therapist_id=therapist_id)
    rows = answered.values_list(
        "plan__therapist_id", "plan__service", "plan__batch_key", "answered_at", "shared", *ITEMS
    )
    return [
        AnsweredCheckin(
            therapist_id=therapist_id,
            service=service,
            responder_key=key,
            answered_epoch=answered_at.timestamp(),
            ratings=dict(zip(ITEMS, ratings, strict=True)),
            shared=shared,
        )
        for therapist_id, service, key, answered_at, shared, *ratings in rows.order_by(
            "answered_at", "pk"
        )
    ]


def released_members(*, therapist_id: int) -> list[tuple[AnsweredCheckin, str]]:
    """The members of a therapist's stored batches, each with the service whose figure it
    counts in ("" for the overall figure only): one query."""
    rows = (
        CheckInRelease.objects.filter(batch__therapist_id=therapist_id)
        .order_by("batch__number", "checkin__answered_at", "checkin_id")
        .values_list(
            "service",
            "checkin__plan__service",
            "checkin__plan__batch_key",
            "checkin__answered_at",
            *(f"checkin__{item}" for item in ITEMS),
        )
    )
    return [
        (
            AnsweredCheckin(
                therapist_id=therapist_id,
                service=service,
                responder_key=key,
                answered_epoch=answered_at.timestamp(),
                ratings=dict(zip(ITEMS, ratings, strict=True)),
            ),
            cell,
        )
        for cell, service, key, answered_at, *ratings in rows
    ]


TOTALS_COLUMNS = (
    "therapist_id",
    "service",
    "checkins",
    "responders",
    *(f"{item}_sum" for item in ITEMS),
    *(f"{item}_weak" for item in ITEMS),
    *(f"{item}_squares" for item in ITEMS),
)


def totals_from_row(values: tuple) -> CheckinTotals:
    """A row in TOTALS_COLUMNS order as the aggregation reads it."""
    therapist_id, service, checkins, responders = values[:4]
    items = len(ITEMS)
    sums, weak, squares = (
        values[4 : 4 + items],
        values[4 + items : 4 + 2 * items],
        values[4 + 2 * items :],
    )
    return CheckinTotals(
        therapist_id=therapist_id,
        service=service,
        checkins=checkins,
        responders=responders,
        sums={item: float(total) for item, total in zip(ITEMS, sums, strict=True)},
        weak={item: float(total) for item, total in zip(ITEMS, weak, strict=True)},
        squares={item: float(total) for item, total in zip(ITEMS, squares, strict=True)},
    )


def released_totals_rows(
    *, therapist_ids: Iterable[int] | None = None, licensed_in: str | None = None
) -> list[tuple]:
    """Stored released totals as plain rows in TOTALS_COLUMNS order: every therapist's, or
    those named, or those with a license in a state (a cold load reads tens of thousands)."""
    if therapist_ids is not None and licensed_in is None:
        return _totals_of_therapists(list(therapist_ids))
    rows = ReleasedTotals.objects.all()
    if therapist_ids is not None:
        rows = rows.filter(therapist_id__in=list(therapist_ids))
    if licensed_in is not None:
        rows = rows.filter(
            therapist_id__in=License.objects.filter(state=licensed_in).values("therapist_id")
        )
    return list(rows.values_list(*TOTALS_COLUMNS))


@lru_cache(maxsize=64)
def _totals_sql(count: int) -> str:
    """The statement reading `count` therapists' totals: what the ORM would write for
    released_totals_rows(therapist_ids=...), made once per count instead of per page."""
    table = connection.ops.quote_name(ReleasedTotals._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(ReleasedTotals._meta.get_field(name).column)
        for name in TOTALS_COLUMNS
    )
    therapist = connection.ops.quote_name(ReleasedTotals._meta.get_field("therapist").column)
    placeholders = ", ".join(["%s"] * count)
    return f"SELECT {columns} FROM {table} WHERE {therapist} IN ({placeholders})"  # noqa: S608


def _totals_of_therapists(therapist_ids: list[int]) -> list[tuple]:
    """The totals of a page's few therapists, the ranked list reads on every request: as
    plain SQL, since building the ORM's query cost more CPU than running it."""
    if not therapist_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_totals_sql(len(therapist_ids)), therapist_ids)
        return cursor.fetchall()


def prior_override() -> float | None:
    """The operator's prior strength, if set (ALLIANCE_PRIOR_RESPONDERS); None: estimate it."""
    return float(settings.ALLIANCE_PRIOR_RESPONDERS) or None


def alliance_population() -> Population:
    """Every measured therapist together, as shrinkage pulls toward, with the prior strength
    estimated from them: one aggregate query over one row per measured therapist."""
    overall = ReleasedTotals.objects.filter(service="", responders__gt=0)
    n = Cast("responders", FloatField())
    per_item = {}
    for item in ITEMS:
        mean = F(f"{item}_sum") / n
        per_item |= {
            f"{item}_mean_sum": Sum(mean),
            f"{item}_mean_squares": Sum(mean * mean),
            f"{item}_weak_sum": Sum(F(f"{item}_weak") / n),
            f"{item}_within": Sum(F(f"{item}_squares") - F(f"{item}_sum") * mean),
        }
    totals = overall.aggregate(
        therapists=Count("pk"),
        checkins=Sum("checkins"),
        within_df=Sum(n - Value(1.0)),
        inverse_n=Sum(Value(1.0) / n),
        **per_item,
    )
    if not totals["therapists"]:
        return population_from(population_sums([]), strength_override=prior_override())

    def items(suffix: str) -> dict[str, float]:
        return {item: float(totals[f"{item}_{suffix}"] or 0.0) for item in ITEMS}

    sums = PopulationSums(
        therapists=totals["therapists"],
        checkins=totals["checkins"],
        mean_sum=items("mean_sum"),
        mean_squares=items("mean_squares"),
        weak_sum=items("weak_sum"),
        within_squares=items("within"),
        within_df=float(totals["within_df"]),
        inverse_n=float(totals["inverse_n"]),
    )
    return population_from(sums, strength_override=prior_override())


def alliance_measures(
    *, therapist_ids: Iterable[int] | None = None, population: Population | None = None
) -> Measures:
    """Measured alliance from released check-ins, where the minimum is met: every
    therapist's, or those named.

    Reads the stored totals (one row per therapist and service); the population is read
    too unless given.
    """
    return measure_totals(
        [totals_from_row(values) for values in released_totals_rows(therapist_ids=therapist_ids)],
        population=population if population is not None else alliance_population(),
        min_checkins=settings.ALLIANCE_MIN_CHECKINS,
        min_responders=settings.ALLIANCE_MIN_RESPONDERS,
    )
