"""What therapists and staff see of check-ins: aggregates from stored batches, and the
check-ins responders chose to share."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, F
from django.utils import timezone

from alliance.aggregation import (
    TRAITS,
    AllianceMeasure,
    Population,
)
from alliance.choices import Trait
from alliance.models import (
    CheckIn,
    ReleasedBatch,
)
from alliance.selectors.reads import SHARED_SHOWN_MAX, alliance_measures
from profiles.models import TherapistProfile


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
