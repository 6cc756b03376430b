"""Candidates straight from the database: one set-based query for a state or a few therapists.

The query returns one row per (therapist, state) where the therapist takes new clients
(profiles.selectors.therapists_taking_clients, the one listing rule, compiled into it) and
holds a verified license in the state that has not expired, with the openings they have left
and the requests waiting for their answer (their load, which the ranking reads). Trainings
and practices come back as bit masks, in profiles.vocabulary's order like every set the
database stores, so no Python loop runs per related row. Measured alliance comes from the
released check-in totals (alliance.models.ReleasedTotals), one row per therapist. Two
readers use it:
- rows_to_facts() turns many rows into columns.CandidateFacts at once (a cold load of a
  state, or the therapists a write changed), measured alliance with measured_columns();
- page_candidates() builds scoring Candidate objects and card facts for the few therapists
  a page shows, fresh from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from alliance.models import AllianceApproach
from matching.models import IntroRequest, TherapistResponsiveness
from profiles import choices
from profiles.fields import ChoiceEnum
from profiles.models import License, ResponderTraining
from profiles.selectors import confirmation_cutoff, therapists_taking_clients
from profiles.vocabulary import STYLE_DIMENSIONS

# Above this many therapists changed at once, reading whole states again is simpler.
REFRESH_MAX_THERAPISTS = 2_000


# The columns of a candidate row, in order; card columns follow when asked for.
FACT_COLUMNS = (
    "therapist_id", "state", "licensed_until", "confirmed", "years_serving", "caseload_percent",
    "services", "agency_work", "ride_along_hours", "lived_experience", "agency_evaluations",
    "focus", "trained", "certified", "formats", "latitude", "longitude", "telehealth_states",
    "languages", "gender", "hours", "reschedules", "payments", "carriers", "fee_min",
    "sliding", "verified_trainings", "reported_trainings", "practices",
    "intros_received", "intros_answered", "median_answer_hours", "works_with_retired",
    "fee_max", *(f"style_{d}_{end}" for d in STYLE_DIMENSIONS for end in ("low", "high")),
    "open_slots", "pending_requests",
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


# A moment no listing rule can mean by chance: the rule is compiled once at this moment, and
# the parameters it gave (the date and the confirmation cut-off) are then recomputed for the
# moment asked about; compiling the ORM's query on every request cost a ranked page about a
# millisecond.
_COMPILED_AT = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


@dataclass(frozen=True)
class _Slot:
    """Where a moving parameter goes in the compiled rule's parameters, and in which form
    (as Python gives it, or as the database backend adapted it)."""

    index: int
    adapted: bool


def _moving_params(now: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """The listing rule's values that move with the clock: today, and the confirmation cut-off."""
    return timezone.localdate(now), confirmation_cutoff(now=now)


def _adapted(value: dt.date | dt.datetime) -> Any:
    ops = connection.ops
    if isinstance(value, dt.datetime):
        return ops.adapt_datetimefield_value(value)
    return ops.adapt_datefield_value(value)


def _slot_of(value: Any, moving: tuple[dt.date, dt.datetime]) -> _Slot | None:
    for index, moved in enumerate(moving):
        if type(value) is type(moved) and value == moved:
            return _Slot(index, adapted=False)
        if isinstance(value, str) and value == _adapted(moved):
            return _Slot(index, adapted=True)
    return None


@lru_cache(maxsize=8)
def _listed_template(vendor: str, max_age_days: int) -> tuple[str, tuple[Any, ...]]:
    """The listing rule's SQL, and its parameters with the moving ones as slots."""
    sql, params = therapists_taking_clients(now=_COMPILED_AT).order_by().query.sql_with_params()
    moving = _moving_params(_COMPILED_AT)
    slots = tuple(_slot_of(value, moving) or value for value in params)
    if sum(isinstance(slot, _Slot) for slot in slots) != len(moving):
        raise RuntimeError("The listing rule's moving parameters could not be told apart.")
    return sql, slots


def _listed_sql(*, now: dt.datetime) -> tuple[str, list[Any]]:
    """The therapists who take new clients, as SQL for the loader's FROM clause.

    This is profiles.selectors.therapists_taking_clients compiled by the ORM, so the listing
    rule is written once; both databases flatten the subquery into the loader's own plan.
    """
    sql, slots = _listed_template(connection.vendor, settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS)
    moving = _moving_params(now)
    params = []
    for slot in slots:
        if isinstance(slot, _Slot):
            value = moving[slot.index]
            params.append(_adapted(value) if slot.adapted else value)
        else:
            params.append(slot)
    return sql, params


def _candidate_sql(*, scope: str, with_cards: bool, listed_sql: str, few: bool = False) -> str:
    license_table, training = License._meta.db_table, ResponderTraining._meta.db_table
    alliance = AllianceApproach._meta.db_table
    answering = TherapistResponsiveness._meta.db_table
    intros = IntroRequest._meta.db_table
    pending = IntroRequest.Status.PENDING.value
    kind = _bit_case("kind", choices.TrainingKind)
    style = ", ".join(f"a.style_{dim}_{end}" for dim in STYLE_DIMENSIONS for end in ("low", "high"))
    cards = ""
    if with_cards:
        label = f"l2.license_type || ':' || l2.state || ':' || {_ordinal('l2.expires_on')}"
        cards = f""",
            p.public_id, p.full_name, p.credentials, p.pronouns, p.photo <> '', p.office_city,
            (SELECT {_joined(label)} FROM {license_table} l2
             WHERE l2.therapist_id = p.id AND l2.status = 'verified' AND l2.expires_on > %s)"""  # noqa: S608
    # The trainings' bits are made once for all candidates: inlined, a planner misled by
    # stale statistics (a table just filled, before autovacuum) made them again for every
    # candidate, and a cold load of 10,000 took 50 s instead of 0.4 s.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    # Requests waiting: for a whole state, every pending request counted at once (they are
    # few beside the candidates; 7 ms of a 314 ms load of 14,887 candidates with 6,000
    # waiting), which beat a look-up per candidate; for the few therapists a write
    # changed, theirs alone.
    waiting_scope = " AND therapist_id IN (SELECT therapist_id FROM lic)" if few else ""
    # Table names and choice values come from the code, never from input.
    return f"""
        WITH lic AS (
            SELECT therapist_id, state, MAX(expires_on) AS until
            FROM {license_table}
            WHERE status = 'verified' AND expires_on > %s AND {scope}
            GROUP BY therapist_id, state
        ),
        tr AS {materialized}(
            SELECT therapist_id,
                {_bits(f"CASE WHEN status = 'verified' THEN {kind} ELSE 0 END")} AS verified,
                {_bits(f"CASE WHEN status <> 'verified' THEN {kind} ELSE 0 END")} AS reported
            FROM {training}
            WHERE status <> 'rejected' AND therapist_id IN (SELECT therapist_id FROM lic)
            GROUP BY therapist_id
        ),
        waiting AS {materialized}(
            SELECT therapist_id, COUNT(*) AS requests
            FROM {intros}
            WHERE status = '{pending}'{waiting_scope}
            GROUP BY therapist_id
        )
        SELECT p.id, lic.state, {_ordinal("lic.until")}, {_epoch("p.confirmed_at")},
            p.years_serving_responders, p.responder_caseload_percent, p.services_served,
            p.agency_work, p.ride_along_hours, p.lived_experience, p.agency_evaluations,
            p.focus_concerns, p.methods_trained, p.methods_certified, p.formats,
            p.office_latitude, p.office_longitude, p.telehealth_states, p.languages, p.gender,
            p.hours, p.reschedules_around_shifts, p.payment_methods, p.insurance_carriers,
            p.fee_min_dollars, p.sliding_scale, COALESCE(tr.verified, 0),
            COALESCE(tr.reported, 0), COALESCE(a.practices, 0),
            COALESCE(r.decided, 0), COALESCE(r.answered, 0), r.median_answer_hours,
            p.works_with_retired, p.fee_max_dollars, {style},
            p.open_slots, COALESCE(waiting.requests, 0){cards}
        FROM lic
        JOIN ({listed_sql}) p ON p.id = lic.therapist_id
        LEFT JOIN tr ON tr.therapist_id = p.id
        LEFT JOIN waiting ON waiting.therapist_id = p.id
        LEFT JOIN {alliance} a ON a.therapist_id = p.id
        LEFT JOIN {answering} r ON r.therapist_id = p.id
    """  # noqa: S608


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def candidate_rows(
    *,
    states: Sequence[str],
    now: dt.datetime,
    therapist_ids: Sequence[int] | None = None,
    with_cards: bool = False,
) -> list[tuple]:
    """The candidates of the given states (of the given therapists only, if named)."""
    if not states or (therapist_ids is not None and not therapist_ids):
        return []
    scope = f"state IN ({_placeholders(states)})"
    scope_params: list[Any] = list(states)
    if therapist_ids is not None:
        scope += f" AND therapist_id IN ({_placeholders(therapist_ids)})"
        scope_params += list(therapist_ids)
    day = connection.ops.adapt_datefield_value(timezone.localdate(now))
    listed_sql, listed_params = _listed_sql(now=now)
    params = [day, *scope_params, *([day] if with_cards else []), *listed_params]
    statement = _candidate_sql(
        scope=scope,
        with_cards=with_cards,
        listed_sql=listed_sql,
        few=therapist_ids is not None,
    )
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
