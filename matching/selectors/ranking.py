"""The ranked list: candidates per state from the database, kept in each process until the
data behind them changes, and the page a responder sees.

The database applies the hard rules that do not depend on who asks (published, active,
accepting, a verified license in the state that has not expired, confirmed recently) when
a state's candidates are loaded. The rules that do depend on the responder or move with
the clock are applied to the loaded columns on every request (matching/ranking.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from alliance.aggregation import AllianceMeasure
from alliance.models import AllianceApproach
from alliance.selectors import alliance_measures
from matching.intake import Intake
from matching.models import RankingVersion, TherapistResponsiveness
from matching.ranking import StateIndex, build_index, rank_index
from matching.scoring import (
    Candidate,
    Checkins,
    Rules,
    Score,
    Seeker,
    answer_time_words,
    is_eligible,
    score,
)
from profiles import choices
from profiles.geo import zip_place
from profiles.models import License, ResponderTraining, TherapistProfile, VettingStatus
from profiles.selectors import confirmation_cutoff

PAGE_SIZE = 10
TRAITS = ("respect_trust", "collaboration", "empathy", "adaptability")


@dataclass(frozen=True)
class CardFacts:
    """What a result card shows that does not depend on who is looking."""

    therapist_id: int
    public_id: str
    full_name: str
    credentials: str
    pronouns: str
    has_photo: bool
    verified_licenses: tuple[str, ...]
    answer_time: str
    does_agency_evaluations: bool


@dataclass
class LoadedState:
    version: int
    index: StateIndex
    cards: dict[int, CardFacts]


_loaded: dict[str, LoadedState] = {}
_lock = threading.Lock()


def current_ranking_version() -> int:
    """The number that changes with every write to what rankings read (one cheap query)."""
    version = RankingVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    if version is None:
        # The row is missing only after a full flush; a random start never matches old data.
        version = RankingVersion.objects.create(pk=1, version=secrets.randbits(62)).version
    return version


def forget_loaded_states() -> None:
    """Drop every state's loaded candidates (tests use this between cases)."""
    with _lock:
        _loaded.clear()


def _license_label(license_type: str, state: str) -> str:
    return f"{choices.LicenseType(license_type).label}, {choices.State(state).label}"


def load_state(state: str, *, now: dt.datetime | None = None) -> LoadedState:
    """Read one state's candidates from the database, in six queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    verified_here = License.objects.filter(
        therapist=OuterRef("pk"),
        state=state,
        status=VettingStatus.VERIFIED,
        expires_on__gt=today,
    )
    rows = list(
        TherapistProfile.objects.filter(
            user__is_active=True,
            published_at__isnull=False,
            profile_complete=True,
            accepting_new_clients=True,
            confirmed_at__gte=confirmation_cutoff(now=now),
        )
        .annotate(
            licensed_until=Subquery(
                verified_here.order_by()
                .values("therapist")
                .annotate(last=Max("expires_on"))
                .values("last")[:1]
            )
        )
        .filter(licensed_until__isnull=False)
        .values_list(
            "pk",
            "public_id",
            "full_name",
            "credentials",
            "pronouns",
            "photo",
            "licensed_until",
            "confirmed_at",
            "years_serving_responders",
            "responder_caseload_percent",
            "services_served",
            "agency_work",
            "ride_along_hours",
            "lived_experience",
            "agency_evaluations",
            "focus_concerns",
            "methods_trained",
            "methods_certified",
            "formats",
            "office_latitude",
            "office_longitude",
            "office_city",
            "telehealth_states",
            "languages",
            "gender",
            "hours",
            "reschedules_around_shifts",
            "payment_methods",
            "insurance_carriers",
            "fee_min_dollars",
            "sliding_scale",
        )
    )
    ids = [row[0] for row in rows]
    trainings, licenses, alliance = _related(ids, today=today)
    measured = measured_alliance(ids)
    answering = {
        therapist_id: (decided, answered, median)
        for therapist_id, decided, answered, median in TherapistResponsiveness.objects.filter(
            therapist_id__in=ids
        ).values_list("therapist_id", "decided", "answered", "median_answer_hours")
    }
    candidates, cards = [], {}
    for row in rows:
        (pk, public_id, full_name, credentials_text, pronouns, photo, licensed_until, confirmed_at,
         years, caseload, services, agency_work, ride_along, lived, evaluations, focus, trained,
         certified, formats, latitude, longitude, city, telehealth_states, languages, gender,
         hours, reschedules, payments, carriers, fee_min, sliding) = row  # fmt: skip
        verified_kinds, reported_kinds = trainings.get(pk, (frozenset(), frozenset()))
        statements, practices = alliance.get(pk, (frozenset(), frozenset()))
        decided, answered, median_hours = answering.get(pk, (0, 0, None))
        checkins, checkins_by_service = measured.get(pk, (None, {}))
        candidates.append(
            Candidate(
                therapist_id=pk,
                licensed_until_ordinal=licensed_until.toordinal(),
                confirmed_epoch=confirmed_at.timestamp(),
                years_serving=years or 0,
                caseload_percent=caseload or 0,
                services=services,
                verified_trainings=verified_kinds,
                self_reported_trainings=reported_kinds,
                agency_work=agency_work,
                ride_along_hours=ride_along,
                lived_experience=lived,
                agency_evaluations=evaluations,
                statements=statements,
                practices=practices,
                checkins=checkins,
                checkins_by_service=checkins_by_service,
                focus_concerns=focus,
                methods_trained=trained,
                methods_certified=certified,
                offers_in_person=choices.Format.IN_PERSON in formats,
                offers_telehealth_here=(
                    choices.Format.TELEHEALTH in formats and state in telehealth_states
                ),
                office_latitude=latitude,
                office_longitude=longitude,
                office_city=city,
                languages=languages,
                gender=gender,
                hours=hours,
                reschedules_around_shifts=reschedules,
                payment_methods=payments,
                insurance_carriers=carriers,
                fee_min_dollars=fee_min,
                sliding_scale=sliding,
                intros_received=decided,
                intros_answered=answered,
                median_answer_hours=median_hours,
            )
        )
        cards[pk] = CardFacts(
            therapist_id=pk,
            public_id=str(public_id),
            full_name=full_name,
            credentials=credentials_text,
            pronouns=pronouns,
            has_photo=bool(photo),
            verified_licenses=tuple(licenses.get(pk, ())),
            answer_time=answer_time_words(median_hours),
            does_agency_evaluations=bool(evaluations),
        )
    return LoadedState(version=0, index=build_index(candidates), cards=cards)


def _related(
    ids: list[int], *, today: dt.date
) -> tuple[dict, dict[int, list[str]], dict[int, tuple[frozenset[str], frozenset[str]]]]:
    """Trainings, verified licenses and alliance approaches of the given therapists."""
    trainings: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for therapist_id, kind, status in (
        ResponderTraining.objects.filter(therapist_id__in=ids)
        .exclude(status=VettingStatus.REJECTED)
        .values_list("therapist_id", "kind", "status")
    ):
        verified, reported = trainings[therapist_id]
        (verified if status == VettingStatus.VERIFIED else reported).add(kind)
    licenses: dict[int, list[str]] = defaultdict(list)
    for therapist_id, license_type, state in (
        License.objects.filter(
            therapist_id__in=ids, status=VettingStatus.VERIFIED, expires_on__gt=today
        )
        .order_by("therapist_id", "state", "license_type")
        .values_list("therapist_id", "license_type", "state")
    ):
        licenses[therapist_id].append(_license_label(license_type, state))
    alliance: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
    for row in AllianceApproach.objects.filter(therapist_id__in=ids).values_list(
        "therapist_id", *TRAITS, "practices"
    ):
        written = frozenset(t for t, text in zip(TRAITS, row[1:5], strict=True) if text.strip())
        alliance[row[0]] = (written, row[5])
    return (
        {k: (frozenset(v), frozenset(r)) for k, (v, r) in trainings.items()},
        licenses,
        alliance,
    )


def _as_checkins(measure: AllianceMeasure) -> Checkins:
    return Checkins(values=measure.values, ratings=measure.ratings, count=measure.checkins)


def measured_alliance(ids: list[int]) -> dict[int, tuple[Checkins | None, dict[str, Checkins]]]:
    """Measured traits per therapist id, overall and per service, where the minimum is met.

    The shrinkage needs every therapist's check-ins (the population), so this reads all
    answered check-ins, in one query.
    """
    measures = alliance_measures()
    wanted = set(ids)
    result: dict[int, tuple[Checkins | None, dict[str, Checkins]]] = {}
    for therapist_id, measure in measures.overall.items():
        if therapist_id in wanted:
            services = measures.by_service.get(therapist_id, {})
            result[therapist_id] = (
                _as_checkins(measure),
                {service: _as_checkins(m) for service, m in services.items()},
            )
    return result


def loaded_state(state: str) -> LoadedState:
    """This state's candidates, read again only when the data behind them has changed."""
    version = current_ranking_version()
    current = _loaded.get(state)
    if current is not None and current.version == version:
        return current
    with _lock:
        current = _loaded.get(state)
        if current is None or current.version != version:
            current = load_state(state)
            current.version = version
            _loaded[state] = current
    return current


def seeker_from(intake: Intake) -> Seeker:
    """The responder's answers as the scoring module reads them."""
    place = zip_place(intake.zip_code) if intake.zip_code else None
    return Seeker(
        state=intake.state,
        service=intake.service,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        travel_miles=intake.travel_miles,
        format_preference=intake.format_preference,
        concerns=intake.concerns,
        methods_wanted=intake.methods_wanted,
        methods_avoided=intake.methods_avoided,
        therapist_gender=intake.therapist_gender,
        gender_required=intake.gender_required,
        languages=intake.languages,
        language_required=intake.language_required,
        hours=intake.hours,
        payment_methods=intake.payment_methods,
        insurance_carrier=intake.insurance_carrier,
        self_pay_budget_dollars=intake.self_pay_budget_dollars,
        payment_required=intake.payment_required,
        avoid_agency_evaluators=intake.avoid_agency_evaluators,
        importance=dict(intake.importance),
    )


def current_rules(now: dt.datetime | None = None) -> Rules:
    now = now or timezone.now()
    return Rules(
        now_epoch=now.timestamp(),
        today_ordinal=timezone.localdate(now).toordinal(),
        confirmation_max_age_days=settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS,
    )


@dataclass(frozen=True)
class RankedCard:
    position: int
    facts: CardFacts
    score: Score

    @property
    def score_rounded(self) -> int:
        return round(self.score.total)


@dataclass(frozen=True)
class RankedPage:
    cards: tuple[RankedCard, ...]
    total_count: int
    page_number: int
    page_count: int

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def has_next(self) -> bool:
        return self.page_number < self.page_count

    @property
    def first_position(self) -> int:
        return (self.page_number - 1) * PAGE_SIZE + 1 if self.cards else 0

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.cards) - 1 if self.cards else 0


def ranked_page(
    *, seeker: Seeker, page_number: int = 1, exclude_therapist_id: int | None = None
) -> RankedPage:
    """One page of the ranked list, each card with its score and every reason.

    `exclude_therapist_id` leaves one therapist out: the re-match after a weak check-in.
    """
    state = loaded_state(seeker.state)
    rules = current_rules()
    ids, _ = rank_index(state.index, seeker, rules)
    if exclude_therapist_id is not None:
        ids = ids[ids != exclude_therapist_id]
    page_count = max(1, -(-len(ids) // PAGE_SIZE))
    page_number = max(1, min(page_number, page_count))
    start = (page_number - 1) * PAGE_SIZE
    cards = []
    for offset, therapist_id in enumerate(ids[start : start + PAGE_SIZE].tolist()):
        candidate = state.index.candidates[state.index.position[therapist_id]]
        cards.append(
            RankedCard(
                position=start + offset + 1,
                facts=state.cards[therapist_id],
                score=score(seeker, candidate, rules),
            )
        )
    return RankedPage(
        cards=tuple(cards),
        total_count=len(ids),
        page_number=page_number,
        page_count=page_count,
    )


def score_for_therapist(*, seeker: Seeker, therapist_id: int) -> Score | None:
    """The therapist's score and reasons for this responder; None when not eligible."""
    state = loaded_state(seeker.state)
    position = state.index.position.get(therapist_id)
    if position is None:
        return None
    candidate = state.index.candidates[position]
    rules = current_rules()
    if not is_eligible(seeker, candidate, rules):
        return None
    return score(seeker, candidate, rules)
