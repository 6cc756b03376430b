"""The few therapists a page shows, fresh from the database: scoring Candidate objects with
their measured alliance, and what their cards show that does not depend on who looks."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from alliance.aggregation import AllianceMeasure, Population, population_values
from alliance.choices import Practice
from alliance.selectors import alliance_measures
from matching.ranking.load import COLUMN, FACT_COLUMNS, candidate_rows
from matching.scoring.types import Candidate, Checkins
from matching.scoring.words import EVALUATION_WORDS, TRAINING_WORDS, answer_history_words
from profiles import choices
from profiles.credentials import credentials_beyond
from profiles.fields import ChoiceEnum, choice_set
from profiles.vocabulary import STYLE_DIMENSIONS


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
    answer_history: str
    # Dual roles, said plainly: the evaluations they do for agencies.
    evaluations: tuple[str, ...]
    # Trainings they report that staff have not verified yet: shown, but earning nothing.
    unverified_trainings: tuple[str, ...]

    @property
    def verified_types(self) -> tuple[str, ...]:
        """The verified license types in short ("LCSW"), each once."""
        return tuple(sorted({label.split(" (")[0] for label in self.verified_licenses}))

    @property
    def verified_credentials(self) -> str:
        """The verified license types, for beside the name: the same words the profile page
        puts beside it."""
        return ", ".join(self.verified_types)

    @property
    def signs_also(self) -> str:
        """What they sign with that the verified types beside the name do not already say,
        shown marked as theirs: each credential once."""
        return credentials_beyond(self.credentials, self.verified_types)


def _as_checkins(measure: AllianceMeasure) -> Checkins:
    return Checkins(
        values=measure.values,
        ratings=measure.ratings,
        count=measure.responders,
        fit=measure.fit.value if measure.fit is not None else None,
    )


def measured_alliance(
    population: Population, *, therapist_ids: Sequence[int]
) -> dict[int, tuple[Checkins, dict[str, Checkins]]]:
    """Measured traits of the therapists named, overall and per service, where the minimum
    is met: one query over their stored totals (alliance.models.ReleasedTotals).

    They are shrunk toward the population given: the one the process read with its states
    (matching.selectors.ranking), so a card's score and the column it was ranked by agree.
    """
    if not therapist_ids:
        return {}
    measures = alliance_measures(therapist_ids=therapist_ids, population=population)
    return {
        therapist_id: (
            _as_checkins(measure),
            {
                service: _as_checkins(m)
                for service, m in measures.by_service.get(therapist_id, {}).items()
            },
        )
        for therapist_id, measure in measures.overall.items()
    }


@lru_cache(maxsize=4096)
def _set_of(enum: ChoiceEnum, mask: int) -> frozenset[str]:
    return choice_set(enum, mask or 0)


def _license_label(license_type: str, state: str) -> str:
    return f"{choices.LicenseType(license_type).label}, {choices.State(state).label}"


def row_to_candidate(
    row: tuple,
    measured: tuple[Checkins, dict[str, Checkins]] | None = None,
    baseline: Mapping[str, float] | None = None,
) -> Candidate:
    """One candidate row as the scoring module reads it (reasons and all), with the
    population's value of each alliance item (`baseline`) for what is not measured."""
    c = {name: row[i] for i, name in enumerate(FACT_COLUMNS)}
    checkins, by_service = measured if measured is not None else (None, {})
    formats = _set_of(choices.Format, c["formats"])
    verified = _set_of(choices.TrainingKind, c["verified_trainings"])
    return Candidate(
        therapist_id=c["therapist_id"],
        licensed_until_ordinal=int(c["licensed_until"]),
        confirmed_epoch=float(c["confirmed"]),
        years_serving=c["years_serving"] or 0,
        caseload_percent=c["caseload_percent"] or 0,
        services=_set_of(choices.Service, c["services"]),
        verified_trainings=verified,
        agency_work=_set_of(choices.AgencyWork, c["agency_work"]),
        ride_along_hours=c["ride_along_hours"],
        lived_experience=_set_of(choices.LivedExperience, c["lived_experience"]),
        works_with_retired=bool(c["works_with_retired"]),
        agency_evaluations=_set_of(choices.AgencyEvaluation, c["agency_evaluations"]),
        practices=_set_of(Practice, c["practices"]),
        focus_concerns=_set_of(choices.Concern, c["focus"]),
        methods_trained=_set_of(choices.Method, c["trained"]),
        methods_certified=_set_of(choices.Method, c["certified"]),
        offers_in_person=choices.Format.IN_PERSON in formats,
        offers_telehealth_here=(
            choices.Format.TELEHEALTH in formats
            and c["state"] in _set_of(choices.State, c["telehealth_states"])
        ),
        office_latitude=c["latitude"],
        office_longitude=c["longitude"],
        office_city=row[COLUMN["office_city"]] if len(row) > COLUMN["office_city"] else "",
        languages=_set_of(choices.Language, c["languages"]),
        gender=c["gender"],
        hours=_set_of(choices.Hours, c["hours"]),
        reschedules_around_shifts=bool(c["reschedules"]),
        payment_methods=_set_of(choices.Payment, c["payments"]),
        insurance_carriers=_set_of(choices.InsuranceCarrier, c["carriers"]),
        fee_min_dollars=c["fee_min"],
        fee_max_dollars=c["fee_max"],
        sliding_scale=bool(c["sliding"]),
        style_ranges=_style_ranges(c),
        checkins=checkins,
        checkins_by_service=by_service,
        checkin_style=checkins.fit if checkins is not None else None,
        alliance_baseline=baseline or {},
        intros_received=c["intros_received"],
        intros_answered=c["intros_answered"],
        median_answer_hours=c["median_answer_hours"],
        open_slots=c["open_slots"],
        pending_requests=c["pending_requests"],
    )


def _style_ranges(c: dict[str, Any]) -> dict[str, tuple[int, int]] | None:
    ranges = {dim: (c[f"style_{dim}_low"], c[f"style_{dim}_high"]) for dim in STYLE_DIMENSIONS}
    if any(None in pair for pair in ranges.values()):
        return None
    return ranges


def row_to_card(row: tuple) -> CardFacts:
    """The card facts of a candidate row read with its card columns."""
    labels = []
    for item in sorted(
        part.split(":") for part in (row[COLUMN["licenses"]] or "").split(",") if part
    ):
        license_type, state, _ = item
        labels.append((state, license_type))
    return CardFacts(
        therapist_id=row[COLUMN["therapist_id"]],
        public_id=str(uuid.UUID(str(row[COLUMN["public_id"]]))),
        full_name=row[COLUMN["full_name"]],
        credentials=row[COLUMN["credentials"]],
        pronouns=row[COLUMN["pronouns"]],
        has_photo=bool(row[COLUMN["has_photo"]]),
        verified_licenses=tuple(
            _license_label(license_type, state) for state, license_type in sorted(labels)
        ),
        answer_history=answer_history_words(
            row[COLUMN["intros_received"]],
            row[COLUMN["intros_answered"]],
            row[COLUMN["median_answer_hours"]],
        ),
        evaluations=tuple(
            EVALUATION_WORDS[e]
            for e in sorted(_set_of(choices.AgencyEvaluation, row[COLUMN["agency_evaluations"]]))
        ),
        unverified_trainings=tuple(
            TRAINING_WORDS.get(kind, "first-responder training")
            for kind in sorted(
                _set_of(
                    choices.TrainingKind,
                    row[COLUMN["reported_trainings"]] & ~row[COLUMN["verified_trainings"]],
                )
            )
        ),
    )


def page_candidates(
    *,
    state: str,
    therapist_ids: Sequence[int],
    now: dt.datetime,
    population: Population,
) -> dict[int, tuple[Candidate, CardFacts]]:
    """Fresh candidates and card facts of the therapists a page shows, in one query."""
    rows = candidate_rows(
        states=[state], therapist_ids=list(therapist_ids), now=now, with_cards=True
    )
    measured = measured_alliance(population, therapist_ids=[row[0] for row in rows])
    baseline = population_values(population)
    return {
        row[0]: (row_to_candidate(row, measured.get(row[0]), baseline), row_to_card(row))
        for row in rows
    }
