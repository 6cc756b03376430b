from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, F, FloatField, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone

from alliance.aggregation import (
    ITEMS,
    TRAITS,
    AllianceMeasure,
    CheckinTotals,
    Measures,
    Population,
    PopulationSums,
    measure_totals,
    population_from,
    population_sums,
)
from alliance.batches import AnsweredCheckin
from alliance.choices import Trait
from alliance.models import (
    AllianceApproach,
    CheckIn,
    CheckInRelease,
    ReleasedBatch,
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
    rows = ReleasedTotals.objects.all()
    if therapist_ids is not None:
        rows = rows.filter(therapist_id__in=list(therapist_ids))
    if licensed_in is not None:
        rows = rows.filter(
            therapist_id__in=License.objects.filter(state=licensed_in).values("therapist_id")
        )
    return list(rows.values_list(*TOTALS_COLUMNS))


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


@dataclass(frozen=True)
class TraitRow:
    label: str
    rating: float  # shrunk, shown to one decimal
    population: float
    helps: str


@dataclass(frozen=True)
class TrendPoint:
    """One stored batch as the therapist sees it: the month it closed, never a day; how many
    responders (at least the minimum); its mean of the four traits as a band two points
    wide, which no batch of the minimum size turns into anyone's answer."""

    month: str
    responders: int
    band: str


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
# A batch's mean of the four traits is shown only as one of these bands (lower bound, words).
# Two points wide: with at least 5 check-ins (20 answers) behind a band, any one answer can
# still be anything from 0 to 10, so a band names nobody's answer, even when all are alike.
MEAN_BANDS = ((8.0, "8 to 10"), (6.0, "6 to 8"), (4.0, "4 to 6"), (2.0, "2 to 4"), (0.0, "0 to 2"))


def mean_band(mean: float) -> str:
    """The band a batch's mean falls in."""
    return next(words for lowest, words in MEAN_BANDS if mean >= lowest)


def _mean_rating(measure: AllianceMeasure) -> float:
    return sum(measure.ratings.values()) / len(TRAITS)


def therapist_alliance_view(*, therapist: TherapistProfile) -> TherapistAllianceView:
    """What the therapist's dashboard shows: aggregates from the minimum on, shared answers.

    Invariants: never an answer that was not shared, never a note; figures only from stored
    batches (so they change only when a batch of the minimum closes); no day of any batch,
    only its month; no share of weak answers (a share compared before and after a batch
    can name a batch whose members all answered weak); batch means only as bands.
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
                helps=TRAIT_HELPS[t],
            )
            for t in TRAITS
        )
        four = sum(
            (F(f"members__checkin__{t}") for t in TRAITS[1:]),
            F(f"members__checkin__{TRAITS[0]}"),
        )
        batches = (
            ReleasedBatch.objects.filter(therapist=therapist)
            .annotate(mean=Avg(four))
            .order_by("-number")[:TREND_BATCHES_SHOWN]
        )
        trend = tuple(
            TrendPoint(
                month=f"{timezone.localdate(batch.released_at):%B %Y}",
                responders=batch.responders,
                band=mean_band(float(batch.mean) / len(TRAITS)),
            )
            for batch in reversed(batches)
        )
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
