from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from alliance.aggregation import (
    ITEMS,
    TRAITS,
    AllianceMeasure,
    AnsweredCheckin,
    CheckinTotals,
    Measures,
    Population,
    closed_batches,
    measure_totals,
    population_of,
)
from alliance.choices import Trait
from alliance.models import AllianceApproach, CheckIn, ReleasedTotals, token_hash
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


def _responder_key() -> Coalesce:
    # A responder who deleted their account counts once per plan: their plans keep no link.
    return Coalesce(F("plan__responder_id"), Value(0) - F("plan_id"))


def answered_checkins(*, therapist_id: int | None = None) -> list[AnsweredCheckin]:
    """Every answered check-in (or one therapist's) as the aggregation reads it: one query."""
    answered = CheckIn.objects.filter(status=CheckIn.Status.ANSWERED)
    if therapist_id is not None:
        answered = answered.filter(plan__therapist_id=therapist_id)
    rows = answered.annotate(responder_key=_responder_key()).values_list(
        "plan__therapist_id", "plan__service", "responder_key", "answered_at", *ITEMS
    )
    return [
        AnsweredCheckin(
            therapist_id=therapist_id,
            service=service,
            responder_key=responder_key,
            answered_epoch=answered_at.timestamp(),
            ratings=dict(zip(ITEMS, ratings, strict=True)),
        )
        for therapist_id, service, responder_key, answered_at, *ratings in rows.order_by(
            "answered_at", "pk"
        )
    ]


TOTALS_COLUMNS = (
    "therapist_id",
    "service",
    "checkins",
    "responders",
    *(f"{item}_sum" for item in ITEMS),
    *(f"{item}_weak" for item in ITEMS),
)


def _totals(values: tuple) -> CheckinTotals:
    therapist_id, service, checkins, responders = values[:4]
    sums, weak = values[4 : 4 + len(ITEMS)], values[4 + len(ITEMS) :]
    return CheckinTotals(
        therapist_id=therapist_id,
        service=service,
        checkins=checkins,
        responders=responders,
        sums={item: float(total) for item, total in zip(ITEMS, sums, strict=True)},
        weak=dict(zip(ITEMS, weak, strict=True)),
    )


def released_totals_rows(
    *, therapist_ids: Iterable[int] | None = None, licensed_in: str | None = None
) -> list[tuple]:
    """Stored released totals as plain rows in TOTALS_COLUMNS order: every therapist's, or
    those named, or those with a license in a state (a cold load reads tens of thousands)."""
    rows = ReleasedTotals.objects.all()
    if therapist_ids is not None:
        rows = rows.filter(therapist_id__in=list(therapist_ids))
    if licensed_in is not None:
        rows = rows.filter(
            therapist_id__in=License.objects.filter(state=licensed_in).values("therapist_id")
        )
    return list(rows.values_list(*TOTALS_COLUMNS))


def alliance_population() -> Population:
    """Every therapist's released check-ins together, as shrinkage pulls toward: one query
    over one row per measured therapist."""
    totals = ReleasedTotals.objects.filter(service="").aggregate(
        **{name: Sum(name) for name in TOTALS_COLUMNS[2:]}
    )
    if not totals["checkins"]:
        return population_of([])
    return population_of([_totals((0, "", *(totals[name] for name in TOTALS_COLUMNS[2:])))])


def alliance_measures(
    *, therapist_ids: Iterable[int] | None = None, population: Population | None = None
) -> Measures:
    """Measured alliance from released check-ins, where the minimum is met: every
    therapist's, or those named.

    Reads the stored totals (one row per therapist and service); the population is read
    too unless given.
    """
    return measure_totals(
        [_totals(values) for values in released_totals_rows(therapist_ids=therapist_ids)],
        population=population if population is not None else alliance_population(),
        prior_strength=settings.ALLIANCE_PRIOR_CHECKINS,
        min_checkins=settings.ALLIANCE_MIN_CHECKINS,
        min_responders=settings.ALLIANCE_MIN_RESPONDERS,
    )


@dataclass(frozen=True)
class TraitRow:
    label: str
    rating: float
    population: float
    weak_percent: int
    population_weak_percent: int
    helps: str


@dataclass(frozen=True)
class TrendPoint:
    label: str
    rating: float  # plain mean of the four traits over one closed batch
    checkins: int


@dataclass(frozen=True)
class TherapistAllianceView:
    measure: AllianceMeasure | None
    traits: tuple[TraitRow, ...]
    trend: tuple[TrendPoint, ...]
    shared: tuple[CheckIn, ...]
    min_checkins: int
    min_responders: int


TRAIT_HELPS = {
    "respect_trust": "Saying early what stays between you and what does not, and keeping to it.",
    "collaboration": "Agreeing on goals together, and looking at progress together.",
    "empathy": "Letting the responder set the pace, and knowing the job's language.",
    "adaptability": "Asking how the work is going, and changing course when it is not.",
}
TREND_BATCHES_SHOWN = 8


def _day(epoch: float) -> str:
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return f"{timezone.localdate(moment):%b %-d, %Y}"


def _mean_rating(measure: AllianceMeasure) -> float:
    return sum(measure.ratings.values()) / len(TRAITS)


def therapist_alliance_view(*, therapist: TherapistProfile) -> TherapistAllianceView:
    """What the therapist's dashboard shows: aggregates from the minimum on, shared answers.

    Never an answer that was not shared, never a note.
    """
    measures = alliance_measures(therapist_ids=[therapist.pk])
    measure = measures.overall.get(therapist.pk)
    traits: tuple[TraitRow, ...] = ()
    trend: tuple[TrendPoint, ...] = ()
    if measure is not None:
        population = measures.population
        traits = tuple(
            TraitRow(
                label=Trait(t).label,
                rating=measure.traits[t].rating,
                population=population.means[t],
                weak_percent=round(100 * measure.traits[t].weak_share),
                population_weak_percent=round(100 * population.weak_shares[t]),
                helps=TRAIT_HELPS[t],
            )
            for t in TRAITS
        )
        batches = closed_batches(
            answered_checkins(therapist_id=therapist.pk), settings.ALLIANCE_MIN_RESPONDERS
        )
        points = [
            TrendPoint(
                label=f"{_day(batch[0].answered_epoch)} to {_day(batch[-1].answered_epoch)}",
                # The four traits only: "fit" is a fifth item, not a trait.
                rating=sum(c.ratings[t] for c in batch for t in TRAITS)
                / (len(TRAITS) * len(batch)),
                checkins=len(batch),
            )
            for batch in batches[-TREND_BATCHES_SHOWN:]
        ]
        trend = tuple(points)
    shared = tuple(
        CheckIn.objects.select_related("plan__responder")
        .filter(plan__therapist=therapist, status=CheckIn.Status.ANSWERED, shared=True)
        .only(
            "public_id",
            "answered_at",
            "respect_trust",
            "collaboration",
            "empathy",
            "adaptability",
            "fit",
            "still_seeing",
            "plan__responder__pseudonym",
        )
        .order_by("-answered_at")[:SHARED_SHOWN_MAX]
    )
    return TherapistAllianceView(
        measure=measure,
        traits=traits,
        trend=trend,
        shared=shared,
        min_checkins=settings.ALLIANCE_MIN_CHECKINS,
        min_responders=settings.ALLIANCE_MIN_RESPONDERS,
    )


@dataclass(frozen=True)
class WatchedTherapist:
    therapist: TherapistProfile
    rating: float
    checkins: int


@dataclass(frozen=True)
class StaffAllianceView:
    population: Population
    measured_count: int
    checkins_total: int
    checkins_released: int
    spread: tuple[float, float, float]  # lowest, median, highest mean rating of the measured
    watched: tuple[WatchedTherapist, ...]
    watch_gap: float


WATCH_GAP_RATING = 1.0  # this far below all therapists' mean, with enough check-ins


def staff_alliance_view() -> StaffAllianceView:
    """Aggregates only, and the therapists whose measured alliance sits well below the rest.

    Nothing here delists anyone: the list is for a conversation.
    """
    measures = alliance_measures()
    population = measures.population
    population_mean = sum(population.means.values()) / len(TRAITS)
    ratings = sorted(_mean_rating(m) for m in measures.overall.values())
    spread = (ratings[0], ratings[len(ratings) // 2], ratings[-1]) if ratings else (0.0, 0.0, 0.0)
    low = {
        therapist_id: m
        for therapist_id, m in measures.overall.items()
        if _mean_rating(m) <= population_mean - WATCH_GAP_RATING
    }
    names = TherapistProfile.objects.in_bulk(list(low))
    watched = tuple(
        sorted(
            (
                WatchedTherapist(names[pk], _mean_rating(m), m.checkins)
                for pk, m in low.items()
                if pk in names
            ),
            key=lambda w: w.rating,
        )
    )
    return StaffAllianceView(
        population=population,
        measured_count=len(measures.overall),
        checkins_total=CheckIn.objects.filter(status=CheckIn.Status.ANSWERED).count(),
        checkins_released=population.checkins,
        spread=spread,
        watched=watched,
        watch_gap=WATCH_GAP_RATING,
    )
