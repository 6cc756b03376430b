"""Candidates straight from the database: one set-based query for a state or a few therapists.

The query returns one row per (therapist, state) where the therapist is listed: active,
published, accepting, confirmed recently, with a verified license in the state that has not
expired. Trainings, alliance statements (for cards only) and practices come back as bit
masks, so no Python loop runs per related row. Measured alliance comes from the released
check-in totals (alliance.models.ReleasedTotals), one row per therapist. Two readers use it:
- rows_to_facts() turns many rows into ranking.CandidateFacts columns at once (a cold load
  of a state, or the therapists a write changed), measured alliance with measured_columns();
- page_candidates() builds scoring.Candidate objects and card facts for the few therapists
  a page shows, fresh from the database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from alliance.aggregation import ITEMS, SCALE_MAX, WEAK_AT_MOST, AllianceMeasure, Population
from alliance.choices import PRACTICE_TRAIT, Practice
from alliance.models import AllianceApproach
from alliance.selectors import alliance_measures, released_totals_rows
from matching import ranking
from matching.models import TherapistResponsiveness
from matching.scoring import (
    AGENCY_EMPLOYED,
    EVALUATION_WORDS,
    EXTRA_TRAINING_VALUE,
    STYLE_DIMENSIONS,
    TRAINING_KIND_VALUES,
    TRAINING_WORDS,
    TRAITS,
    Candidate,
    Checkins,
    answer_history_words,
)
from profiles import choices
from profiles.fields import ChoiceEnum, choice_set
from profiles.models import License, ResponderTraining, TherapistProfile, User

# Above this many therapists changed at once, reading whole states again is simpler.
REFRESH_MAX_THERAPISTS = 2_000


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


# The columns of a candidate row, in order; card columns follow when asked for.
FACT_COLUMNS = (
    "therapist_id", "state", "licensed_until", "confirmed", "years_serving", "caseload_percent",
    "services", "agency_work", "ride_along_hours", "lived_experience", "agency_evaluations",
    "focus", "trained", "certified", "formats", "latitude", "longitude", "telehealth_states",
    "languages", "gender", "hours", "reschedules", "payments", "carriers", "fee_min",
    "sliding", "verified_trainings", "reported_trainings", "statements", "practices",
    "intros_received", "intros_answered", "median_answer_hours", "works_with_retired",
    "fee_max", *(f"style_{d}_{end}" for d in STYLE_DIMENSIONS for end in ("low", "high")),
)  # fmt: skip
CARD_COLUMNS = ("public_id", "full_name", "credentials", "pronouns", "has_photo", "office_city")
COLUMN = {name: i for i, name in enumerate(FACT_COLUMNS + CARD_COLUMNS + ("licenses",))}


def _bit_case(column: str, enum: ChoiceEnum) -> str:
    """SQL for the bit of a choice value (its position in the enum), as ChoiceSetField stores."""
    whens = " ".join(f"WHEN '{member.value}' THEN {1 << i}" for i, member in enumerate(enum))
    return f"(CASE {column} {whens} ELSE 0 END)"


def _ordinal(column: str) -> str:
    """SQL for a date as Python's date ordinal."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - julianday('0001-01-01') + 1 AS INTEGER)"


def _epoch(column: str) -> str:
    """SQL for a timestamp as seconds since the epoch."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::float8"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _bits(expression: str) -> str:
    """SQL for the bitwise OR of distinct one-bit values over a group."""
    if connection.vendor == "postgresql":
        return f"BIT_OR({expression})"
    return f"SUM(DISTINCT {expression})"


def _joined(expression: str) -> str:
    return (
        f"STRING_AGG({expression}, ',')"
        if connection.vendor == "postgresql"
        else (f"GROUP_CONCAT({expression}, ',')")
    )


def _candidate_sql(*, scope: str, with_cards: bool) -> str:
    profile, user = TherapistProfile._meta.db_table, User._meta.db_table
    license_table, training = License._meta.db_table, ResponderTraining._meta.db_table
    alliance = AllianceApproach._meta.db_table
    answering = TherapistResponsiveness._meta.db_table
    kind = _bit_case("kind", choices.TrainingKind)
    # What the therapist wrote shows on cards only: a state's columns never read it, and
    # reading the texts of tens of thousands of rows would cost a cold load dearly.
    statements = (
        " + ".join(
            f"(CASE WHEN TRIM(a.{trait}) <> '' THEN {1 << i} ELSE 0 END)"
            for i, trait in enumerate(TRAITS)
        )
        if with_cards
        else "0"
    )
    style = ", ".join(f"a.style_{dim}_{end}" for dim in STYLE_DIMENSIONS for end in ("low", "high"))
    cards = ""
    if with_cards:
        label = f"l2.license_type || ':' || l2.state || ':' || {_ordinal('l2.expires_on')}"
        cards = f""",
            p.public_id, p.full_name, p.credentials, p.pronouns, p.photo <> '', p.office_city,
            (SELECT {_joined(label)} FROM {license_table} l2
             WHERE l2.therapist_id = p.id AND l2.status = 'verified' AND l2.expires_on > %s)"""  # noqa: S608
    # Table names and choice values come from the code, never from input.
    return f"""
        WITH lic AS (
            SELECT therapist_id, state, MAX(expires_on) AS until
            FROM {license_table}
            WHERE status = 'verified' AND expires_on > %s AND {scope}
            GROUP BY therapist_id, state
        ),
        tr AS (
            SELECT therapist_id,
                {_bits(f"CASE WHEN status = 'verified' THEN {kind} ELSE 0 END")} AS verified,
                {_bits(f"CASE WHEN status <> 'verified' THEN {kind} ELSE 0 END")} AS reported
            FROM {training}
            WHERE status <> 'rejected' AND therapist_id IN (SELECT therapist_id FROM lic)
            GROUP BY therapist_id
        )
        SELECT p.id, lic.state, {_ordinal("lic.until")}, {_epoch("p.confirmed_at")},
            p.years_serving_responders, p.responder_caseload_percent, p.services_served,
            p.agency_work, p.ride_along_hours, p.lived_experience, p.agency_evaluations,
            p.focus_concerns, p.methods_trained, p.methods_certified, p.formats,
            p.office_latitude, p.office_longitude, p.telehealth_states, p.languages, p.gender,
            p.hours, p.reschedules_around_shifts, p.payment_methods, p.insurance_carriers,
            p.fee_min_dollars, p.sliding_scale, COALESCE(tr.verified, 0),
            COALESCE(tr.reported, 0), {statements}, COALESCE(a.practices, 0),
            COALESCE(r.decided, 0), COALESCE(r.answered, 0), r.median_answer_hours,
            p.works_with_retired, p.fee_max_dollars, {style}{cards}
        FROM lic
        JOIN {profile} p ON p.id = lic.therapist_id
        LEFT JOIN tr ON tr.therapist_id = p.id
        LEFT JOIN {alliance} a ON a.therapist_id = p.id
        LEFT JOIN {answering} r ON r.therapist_id = p.id
        WHERE p.published_at IS NOT NULL AND p.profile_complete AND p.accepting_new_clients
            AND NOT EXISTS (SELECT 1 FROM {user} u WHERE u.id = p.user_id AND NOT u.is_active)
            AND p.confirmed_at >= %s
    """  # noqa: S608


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def candidate_rows(
    *,
    states: Sequence[str],
    today: dt.date,
    confirmed_since: dt.datetime,
    therapist_ids: Sequence[int] | None = None,
    with_cards: bool = False,
) -> list[tuple]:
    """The listed candidates of the given states (of the given therapists only, if named)."""
    if not states or (therapist_ids is not None and not therapist_ids):
        return []
    scope = f"state IN ({_placeholders(states)})"
    scope_params: list[Any] = list(states)
    if therapist_ids is not None:
        scope += f" AND therapist_id IN ({_placeholders(therapist_ids)})"
        scope_params += list(therapist_ids)
    ops = connection.ops
    day = ops.adapt_datefield_value(today)
    params = [day, *scope_params, *([day] if with_cards else [])]
    params.append(ops.adapt_datetimefield_value(confirmed_since))
    statement = _candidate_sql(scope=scope, with_cards=with_cards)
    if connection.vendor != "postgresql" or therapist_ids is not None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    # A whole state: PostgreSQL would compile this large query to machine code first, which
    # took longer (25 to 50 ms at 70,000 candidates) than it saved.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(statement, params)
        return cursor.fetchall()


# Bit positions: the database stores a set as bits in its choices' order (profiles.fields);
# the ranking reads bits in its own orders (matching.ranking).
def _bit_moves(enum: ChoiceEnum, order: Sequence[str]) -> tuple[tuple[int, int], ...]:
    values = [member.value for member in enum]
    return tuple((values.index(v), order.index(v)) for v in order if v in values)


def _remapped(masks: np.ndarray, moves: tuple[tuple[int, int], ...]) -> np.ndarray:
    result = np.zeros(masks.shape, dtype=np.int64)
    for source, target in moves:
        result |= ((masks >> source) & 1) << target
    return result


def _enum_mask(enum: ChoiceEnum, values: Iterable[str]) -> int:
    positions = [member.value for member in enum]
    return sum(1 << positions.index(v) for v in values if v in positions)


SERVICE_MOVES = _bit_moves(choices.Service, ranking.SERVICES)
CONCERN_MOVES = _bit_moves(choices.Concern, ranking.CONCERNS)
METHOD_MOVES = _bit_moves(choices.Method, ranking.METHODS)
HOURS_MOVES = _bit_moves(choices.Hours, ranking.HOURS)
LANGUAGE_MOVES = _bit_moves(choices.Language, ranking.LANGUAGES)
PAYMENT_MOVES = _bit_moves(choices.Payment, ranking.PAYMENTS)
CARRIER_MOVES = _bit_moves(choices.InsuranceCarrier, ranking.CARRIERS)
IN_PERSON_BIT = _enum_mask(choices.Format, ["in_person"])
TELEHEALTH_BIT = _enum_mask(choices.Format, ["telehealth"])
GENDER_CODE = {gender: i for i, gender in enumerate(ranking.GENDERS)}
STATE_BIT = {member.value: 1 << i for i, member in enumerate(choices.State)}
EMPLOYED_MASK = _enum_mask(choices.AgencyWork, AGENCY_EMPLOYED)
FITNESS_BIT = _enum_mask(choices.AgencyEvaluation, ["fitness_for_duty"])
PREEMPLOYMENT_BIT = _enum_mask(choices.AgencyEvaluation, ["pre_employment"])
KIND_VALUES = np.array(
    [TRAINING_KIND_VALUES.get(member.value, 0.0) for member in choices.TrainingKind]
)
PRACTICES_OF_TRAIT = tuple(
    _enum_mask(Practice, [p for p, t in PRACTICE_TRAIT.items() if t == trait]) for trait in TRAITS
)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.int64)


def _as_checkins(measure: AllianceMeasure) -> Checkins:
    return Checkins(
        values=measure.values,
        ratings=measure.ratings,
        count=measure.checkins,
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


def measured_columns(
    ids: Sequence[int], totals: Sequence[tuple], population: Population
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The measured traits (overall and per service) and fit of each of these therapist
    ids, NaN where not measured, from released totals (rows in
    alliance.selectors.TOTALS_COLUMNS order), over whole columns at once.

    A cold load of a large state holds tens of thousands of measured therapists; this is
    alliance.aggregation's shrinkage and trait value (steps 2, 4 and 5 there), the same
    formulas, in numpy. Cards use alliance.aggregation itself; a test keeps the two equal.
    """
    n = len(ids)
    traits = np.full((n, len(TRAITS)), np.nan)
    by_service = np.full((n, len(ranking.SERVICES), len(TRAITS)), np.nan)
    fit = np.full(n, np.nan)
    if not n or not totals:
        return traits, by_service, fit
    k = float(settings.ALLIANCE_PRIOR_CHECKINS)
    counts = np.array([row[2:4] for row in totals], dtype=np.float64).reshape(-1, 2)
    sums = np.array([row[4 : 4 + len(ITEMS)] for row in totals], dtype=np.float64)
    weak = np.array([row[4 + len(ITEMS) :] for row in totals], dtype=np.float64)
    checkins = counts[:, 0:1]
    enough = (counts[:, 0] >= settings.ALLIANCE_MIN_CHECKINS) & (
        counts[:, 1] >= settings.ALLIANCE_MIN_RESPONDERS
    )
    service = np.array([row[1] for row in totals], dtype=object)
    therapist = np.array([row[0] for row in totals], dtype=np.int64)
    # Where each totals row's therapist sits among the ids (-1 where not a candidate).
    order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
    sorted_ids = np.asarray(ids, dtype=np.int64)[order]
    found = np.minimum(np.searchsorted(sorted_ids, therapist), n - 1)
    at = np.where(sorted_ids[found] == therapist, order[found], -1)

    def value(rating: np.ndarray, share: np.ndarray) -> np.ndarray:
        above = np.clip((rating - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST), 0.0, 1.0)
        return above * np.clip(1 - share, 0.0, 1.0)

    t = len(TRAITS)
    overall = enough & (service == "") & (at >= 0)
    means = [population.means[trait] for trait in TRAITS]
    shares = [population.weak_shares[trait] for trait in TRAITS]
    rating = (sums[overall, :t] + k * np.array(means)) / (checkins[overall] + k)
    share = (weak[overall, :t] + k * np.array(shares)) / (checkins[overall] + k)
    traits[at[overall]] = value(rating, share)
    if population.fit_mean is not None and population.fit_weak_share is not None:
        fit_rating = (sums[overall, t] + k * population.fit_mean) / (checkins[overall, 0] + k)
        fit_share = (weak[overall, t] + k * population.fit_weak_share) / (checkins[overall, 0] + k)
        fit[at[overall]] = value(fit_rating, fit_share)
    # Each service is shrunk toward the therapist's own shrunk figures, where they have them.
    own_rating = np.full((n, t), np.nan)
    own_share = np.full((n, t), np.nan)
    own_rating[at[overall]], own_share[at[overall]] = rating, share
    for s, name in enumerate(ranking.SERVICES):
        rows = enough & (service == name) & (at >= 0)
        rows[rows] = ~np.isnan(own_rating[at[rows], 0])
        if not rows.any():
            continue
        places = at[rows]
        rating_s = (sums[rows, :t] + k * own_rating[places]) / (checkins[rows] + k)
        share_s = (weak[rows, :t] + k * own_share[places]) / (checkins[rows] + k)
        by_service[places, s] = value(rating_s, share_s)
    return traits, by_service, fit


def rows_to_facts(
    rows: Sequence[tuple], population: Population, *, whole_state: str | None = None
) -> ranking.CandidateFacts:
    """Candidate rows as ranking facts, column by column: every listed candidate of
    `whole_state`, or a few therapists' rows."""
    n = len(rows)
    raw = list(zip(*rows, strict=False)) if rows else [()] * len(FACT_COLUMNS)

    def ints(name: str) -> np.ndarray:
        # Straight to int64: a mask of the 56 states needs more bits than a float holds.
        return np.array(raw[COLUMN[name]], dtype=np.int64).reshape(n)

    def optional_ints(name: str) -> np.ndarray:
        return np.array([v or 0 for v in raw[COLUMN[name]]], dtype=np.int64).reshape(n)

    def floats(name: str) -> np.ndarray:
        return np.array(raw[COLUMN[name]], dtype=np.float64).reshape(n)

    def flags(name: str) -> np.ndarray:
        return ints(name) != 0

    def bits(mask: np.ndarray, width: int) -> np.ndarray:
        return ((mask[:, None] >> np.arange(width)) & 1).astype(np.float64).reshape(n, width)

    services, formats = ints("services"), ints("formats")
    trained = ints("trained")
    verified = ints("verified_trainings")
    agency, evaluations = ints("agency_work"), ints("agency_evaluations")
    # scoring.training_value: the most specific verified kind, plus a little for each other.
    kinds = bits(verified, len(KIND_VALUES))
    best = (kinds * KIND_VALUES).max(axis=1, initial=0.0)
    count = kinds.sum(axis=1)
    training_value = np.where(
        count > 0, np.minimum(1.0, best + EXTRA_TRAINING_VALUE * np.maximum(count - 1, 0)), 0.0
    )

    def style(end: str) -> np.ndarray:
        columns = [
            np.array(
                [np.nan if v is None else v for v in raw[COLUMN[f"style_{d}_{end}"]]],
                dtype=np.float64,
            ).reshape(n)
            for d in STYLE_DIMENSIONS
        ]
        values = np.stack(columns, axis=-1).reshape(n, len(STYLE_DIMENSIONS))
        # Only a style described on every scale counts.
        described = ~np.isnan(values).any(axis=1)
        values[~described] = np.nan
        return values

    latitude, longitude = floats("latitude"), floats("longitude")
    practices = ints("practices")
    state_bits = np.array([STATE_BIT.get(s, 0) for s in raw[COLUMN["state"]]], dtype=np.int64)
    ids = [row[0] for row in rows]
    checkin_traits, checkin_service_traits, checkin_style = measured_columns(
        ids,
        released_totals_rows(licensed_in=whole_state)
        if whole_state is not None
        else released_totals_rows(therapist_ids=ids),
        population,
    )
    return ranking.CandidateFacts(
        ids=ints("therapist_id"),
        published=np.ones(n, dtype=bool),
        accepting=np.ones(n, dtype=bool),
        licensed_until=ints("licensed_until"),
        confirmed=floats("confirmed"),
        years_serving=optional_ints("years_serving"),
        caseload_percent=optional_ints("caseload_percent"),
        services=_remapped(services, SERVICE_MOVES),
        service_count=_popcount(services),
        training_value=training_value,
        agency_work=agency != 0,
        agency_unemployed=(agency & ~EMPLOYED_MASK) != 0,
        ride_along_hours=ints("ride_along_hours"),
        lived_experience=flags("lived_experience"),
        works_with_retired=flags("works_with_retired"),
        fitness_evaluator=(evaluations & FITNESS_BIT) != 0,
        preemployment_evaluator=(evaluations & PREEMPLOYMENT_BIT) != 0,
        practices=np.stack([_popcount(practices & mask) for mask in PRACTICES_OF_TRAIT], axis=-1)
        .astype(np.float64)
        .reshape(n, len(TRAITS)),
        checkin_traits=checkin_traits,
        checkin_service_traits=checkin_service_traits,
        style_low=style("low"),
        style_high=style("high"),
        checkin_style=checkin_style,
        focus=_remapped(ints("focus"), CONCERN_MOVES),
        trained=_remapped(trained, METHOD_MOVES),
        certified=_remapped(ints("certified"), METHOD_MOVES),
        in_person=((formats & IN_PERSON_BIT) != 0) & ~np.isnan(latitude) & ~np.isnan(longitude),
        telehealth=((formats & TELEHEALTH_BIT) != 0)
        & ((ints("telehealth_states") & state_bits) != 0),
        latitude=latitude,
        longitude=longitude,
        languages=_remapped(ints("languages"), LANGUAGE_MOVES),
        hours=_remapped(ints("hours"), HOURS_MOVES),
        reschedules=flags("reschedules"),
        payments=_remapped(ints("payments"), PAYMENT_MOVES),
        carriers=_remapped(ints("carriers"), CARRIER_MOVES),
        fee_min=floats("fee_min"),
        sliding=flags("sliding"),
        gender=np.array([GENDER_CODE.get(g, -1) for g in raw[COLUMN["gender"]]], dtype=np.int64),
        intros_received=ints("intros_received"),
        intros_answered=ints("intros_answered"),
        median_answer_hours=floats("median_answer_hours"),
    )


@lru_cache(maxsize=4096)
def _set_of(enum: ChoiceEnum, mask: int) -> frozenset[str]:
    return choice_set(enum, mask or 0)


def _license_label(license_type: str, state: str) -> str:
    return f"{choices.LicenseType(license_type).label}, {choices.State(state).label}"


def row_to_candidate(
    row: tuple, measured: tuple[Checkins, dict[str, Checkins]] | None = None
) -> Candidate:
    """One candidate row as the scoring module reads it (reasons and all)."""
    c = {name: row[i] for i, name in enumerate(FACT_COLUMNS)}
    checkins, by_service = measured if measured is not None else (None, {})
    formats = _set_of(choices.Format, c["formats"])
    verified = _set_of(choices.TrainingKind, c["verified_trainings"])
    reported = _set_of(choices.TrainingKind, c["reported_trainings"])
    return Candidate(
        therapist_id=c["therapist_id"],
        licensed_until_ordinal=int(c["licensed_until"]),
        confirmed_epoch=float(c["confirmed"]),
        years_serving=c["years_serving"] or 0,
        caseload_percent=c["caseload_percent"] or 0,
        services=_set_of(choices.Service, c["services"]),
        verified_trainings=verified,
        self_reported_trainings=reported,
        agency_work=_set_of(choices.AgencyWork, c["agency_work"]),
        ride_along_hours=c["ride_along_hours"],
        lived_experience=_set_of(choices.LivedExperience, c["lived_experience"]),
        works_with_retired=bool(c["works_with_retired"]),
        agency_evaluations=_set_of(choices.AgencyEvaluation, c["agency_evaluations"]),
        statements=frozenset(t for i, t in enumerate(TRAITS) if c["statements"] >> i & 1),
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
        intros_received=c["intros_received"],
        intros_answered=c["intros_answered"],
        median_answer_hours=c["median_answer_hours"],
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
    today: dt.date,
    confirmed_since: dt.datetime,
    population: Population,
) -> dict[int, tuple[Candidate, CardFacts]]:
    """Fresh candidates and card facts of the therapists a page shows, in one query."""
    rows = candidate_rows(
        states=[state],
        therapist_ids=list(therapist_ids),
        today=today,
        confirmed_since=confirmed_since,
        with_cards=True,
    )
    measured = measured_alliance(population, therapist_ids=[row[0] for row in rows])
    return {row[0]: (row_to_candidate(row, measured.get(row[0])), row_to_card(row)) for row in rows}
