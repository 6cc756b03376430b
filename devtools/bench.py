"""Fictional therapists in bulk for benchmarks: tens of thousands in seconds.

The values come from the demo generator (devtools.demo), so a benchmark ranks the same kind
of profiles people see in `make run`; only the way rows are written differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import islice
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

from alliance.models import AllianceApproach, ReleasedTotals
from devtools.demo import DemoTherapist, demo_therapist, zip_codes_of
from matching.models import RankingChange
from profiles.fields import ChoiceEnum, ChoiceSetField, choice_mask
from profiles.models import License, ResponderTraining, TherapistProfile, User, VettingStatus

BENCH_EMAIL_DOMAIN = "bench.rapport.localhost"
BENCH_PASSWORD = "rapport-bench-only"  # noqa: S105 (fictional benchmark accounts only)
BENCH_EVIDENCE_NAME = "evidence/bench.pdf"
BENCH_BOARD_LOOKUP_URL = "https://licensing-board.example/lookup"
BENCH_BATCH_ROWS = 5_000
LARGE_STATE_DEFAULT = "CA"
# In the real population one state holds about a tenth of the listed, accepting therapists.
LARGE_STATE_LISTED_SHARE = 0.10
# The other states get shares falling with their population rank: rank ** -exponent.
OTHER_STATES_WEIGHT_EXPONENT = 0.5
# States and territories from the most to the least populous; the large state is left out
# wherever it stands. AS and MP are missing: the bundled data has no standard ZIP codes there.
STATES_BY_POPULATION = (
    "CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ",
    "TN", "MA", "IN", "MD", "MO", "WI", "CO", "MN", "SC", "AL", "LA", "KY", "OR", "OK",
    "CT", "UT", "IA", "PR", "NV", "AR", "MS", "KS", "NM", "NE", "ID", "WV", "HI", "NH",
    "ME", "MT", "RI", "DE", "SD", "ND", "AK", "DC", "VT", "WY", "GU", "VI",
)  # fmt: skip


def bench_email(number: int) -> str:
    """Return the sign-in address of the benchmark therapist with this number."""
    return f"bench{number:05d}@{BENCH_EMAIL_DOMAIN}"


def is_listed_and_accepting(demo: DemoTherapist, *, state: str, today: dt.date) -> bool:
    """Tell whether a generated therapist will be listed in the state and take new clients.

    Every benchmark therapist is published, active and confirmed within the last 45 days,
    so a verified license in the state that has not expired is what remains to check.
    """
    licensed = any(
        values["state"] == state
        and values["status"] == VettingStatus.VERIFIED
        and values["expires_on"] > today
        for values in demo.licenses
    )
    return licensed and bool(demo.profile["accepting_new_clients"])


def other_state_quotas(*, count: int, large_state: str) -> dict[str, int]:
    """Split a number of therapists over the other states, most to the most populous."""
    states = [s for s in STATES_BY_POPULATION if s != large_state and zip_codes_of(s)]
    weights = [(rank + 1) ** -OTHER_STATES_WEIGHT_EXPONENT for rank in range(len(states))]
    total = sum(weights)
    exact = [count * weight / total for weight in weights]
    quotas = [int(share) for share in exact]
    # Largest remainders first, so the quotas add up to exactly `count`.
    by_remainder = sorted(range(len(states)), key=lambda i: exact[i] - quotas[i], reverse=True)
    for index in by_remainder[: count - sum(quotas)]:
        quotas[index] += 1
    return {state: quota for state, quota in zip(states, quotas, strict=True) if quota}


def _bench_demos(
    *, count: int, large_state: str, listed_target: int, today: dt.date, counts: dict[str, int]
) -> Iterator[DemoTherapist]:
    """Yield the therapists of the benchmark, the large state's first.

    1. Generate therapists in the large state until `listed_target` of them will be listed
       and accepting (the generator is deterministic, so the same ones every time).
    2. Spread the rest over the other states by population rank.
    """
    number = 0
    while counts["large_state_listed_accepting"] < listed_target and number < count:
        number += 1
        demo = demo_therapist(number, large_state, today=today)
        counts["large_state_therapists"] += 1
        if is_listed_and_accepting(demo, state=large_state, today=today):
            counts["large_state_listed_accepting"] += 1
        yield demo
    quotas = other_state_quotas(count=count - number, large_state=large_state)
    counts["states"] = 1 + len(quotas)
    for state, quota in quotas.items():
        for _ in range(quota):
            number += 1
            yield demo_therapist(number, state, today=today)


@lru_cache(maxsize=4096)
def _cached_mask(choices: ChoiceEnum, values: frozenset[str]) -> int:
    return choice_mask(choices, values)


def _with_masks(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Return the values with every choice set as its bit mask, computed once per set.

    The field would compute the same mask for each row; the sets repeat a great deal.
    """
    masked = dict(values)
    for field in model._meta.concrete_fields:
        if isinstance(field, ChoiceSetField) and field.name in values:
            masked[field.name] = _cached_mask(field.choice_class, frozenset(values[field.name]))
    return masked


def _decision(status: str, *, now: dt.datetime) -> dict[str, object]:
    """Return the decision fields of a vetted record that staff decided (or not yet)."""
    if status == VettingStatus.PENDING:
        return {}
    decision: dict[str, object] = {"decided_at": now, "decision_notified_at": now}
    if status == VettingStatus.REJECTED:
        decision["decision_reason"] = "The document does not match the number given (bench)."
    return decision


def _insert_batch(
    demos: list[DemoTherapist], *, password_hash: str, now: dt.datetime
) -> dict[str, int]:
    """Insert one batch of therapists with their licenses, trainings and alliance answers."""
    users = User.objects.bulk_create(
        [
            User(
                email=bench_email(demo.number),
                role=User.Role.THERAPIST,
                password=password_hash,
                date_joined=now,
            )
            for demo in demos
        ],
        batch_size=BENCH_BATCH_ROWS,
    )
    profiles = []
    for demo, user in zip(demos, users, strict=True):
        fields = _with_masks(TherapistProfile, demo.profile)
        confirmed_at = now - dt.timedelta(days=fields.pop("confirmed_days_ago"))
        profiles.append(
            TherapistProfile(
                user=user,
                published_at=confirmed_at,
                profile_complete=True,
                confirmed_at=confirmed_at,
                **fields,
            )
        )
    profiles = TherapistProfile.objects.bulk_create(profiles, batch_size=BENCH_BATCH_ROWS)
    evidence = {"document": BENCH_EVIDENCE_NAME, "document_content_type": "application/pdf"}
    licenses: list[License] = []
    trainings: list[ResponderTraining] = []
    approaches: list[AllianceApproach] = []
    for demo, profile in zip(demos, profiles, strict=True):
        for values in demo.licenses:
            decision = _decision(values["status"], now=now)
            lookup = {"board_lookup_url": BENCH_BOARD_LOOKUP_URL} if decision else {}
            licenses.append(License(therapist=profile, **evidence, **decision, **lookup, **values))
        for values in demo.trainings:
            decision = _decision(values["status"], now=now)
            trainings.append(ResponderTraining(therapist=profile, **evidence, **decision, **values))
        approaches.append(
            AllianceApproach(therapist=profile, **_with_masks(AllianceApproach, demo.alliance))
        )
    License.objects.bulk_create(licenses, batch_size=BENCH_BATCH_ROWS)
    ResponderTraining.objects.bulk_create(trainings, batch_size=BENCH_BATCH_ROWS)
    AllianceApproach.objects.bulk_create(approaches, batch_size=BENCH_BATCH_ROWS)
    return {
        "therapists": len(profiles),
        "licenses": len(licenses),
        "trainings": len(trainings),
        "alliance_approaches": len(approaches),
    }


@transaction.atomic
def seed_bench_therapists(
    *,
    count: int,
    large_state: str = LARGE_STATE_DEFAULT,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    large_state_listed_share: float = LARGE_STATE_LISTED_SHARE,
) -> dict[str, int]:
    """Insert `count` fictional therapists in bulk, one state holding the given listed share.

    Therapists are numbered from 1, so run this on a database without benchmark rows
    (see bench_therapists_clear). Returns the counts of what was inserted.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if not zip_codes_of(large_state):
        raise ValueError(f"{large_state!r} has no ZIP codes to place therapists in.")
    counts = dict.fromkeys(
        (
            "therapists",
            "licenses",
            "trainings",
            "alliance_approaches",
            "large_state_therapists",
            "large_state_listed_accepting",
            "states",
        ),
        0,
    )
    demos = _bench_demos(
        count=count,
        large_state=large_state,
        listed_target=round(count * large_state_listed_share),
        today=today,
        counts=counts,
    )
    password_hash = make_password(BENCH_PASSWORD)
    with _change_feed_paused():
        while batch := list(islice(demos, BENCH_BATCH_ROWS)):
            inserted = _insert_batch(batch, password_hash=password_hash, now=now)
            for name, number in inserted.items():
                counts[name] += number
    return counts


@contextmanager
def _change_feed_paused() -> Iterator[None]:
    """Skip the ranking's change triggers during a bulk load, then say that everything changed.

    Hundreds of thousands of rows would otherwise append a feed row each; one row meaning
    "read every state again" has the same effect for every process. PostgreSQL only (its
    replica role skips triggers); on SQLite the triggers run.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        cursor.execute("SET LOCAL session_replication_role = origin")
    RankingChange.objects.create(therapist_id=None)


# One therapist in five has released check-ins, as once Rapport has run for a while; each
# gets totals drawn from its sign-in address, so the same in every run (5 to 60 check-ins,
# responders' mean ratings 6.0 to 9.5 with a spread of 1.5 between responders), and half of
# those with 10 or more have a service of their own. Totals count each responder once
# (alliance.aggregation): sums of responders' means, weak shares and squared means.
BENCH_MEASURED_PERCENT = 20
BENCH_TOTALS_SQL = """
WITH keyed AS (
    SELECT t.id, u.email AS key FROM {therapists} t JOIN {users} u ON u.id = t.user_id
),
picked AS (
    SELECT id, abs(hashtext(key)) AS h, 5 + abs(hashtext(key)) % 56 AS checkins
    FROM keyed
    WHERE abs(hashtext(key || ':measured')) % 100 < {percent}
),
rows AS (
    SELECT id, h, '' AS service, checkins, LEAST(checkins, 5 + (h / 7) % 26) AS responders
    FROM picked
    UNION ALL
    SELECT id, h, (ARRAY['police', 'fire', 'ems', 'dispatch'])[1 + (h / 19) % 4],
        checkins / 2, LEAST(checkins / 2, 5 + (h / 7) % 26)
    FROM picked WHERE checkins >= 10 AND (h / 17) % 2 = 0
)
INSERT INTO {totals} (therapist_id, service, checkins, responders, {sums}, {weak}, {squares})
SELECT id, service, checkins, responders, {sum_values}, {weak_values}, {square_values}
FROM rows
"""


BENCH_MEAN_DIVISORS = (3, 5, 11, 13, 23)
BENCH_RESPONDER_SPREAD = 1.5  # the variance of responders' means around a therapist's


def _bench_mean(divisor: int) -> str:
    """SQL for one item's mean rating of a benchmark therapist, 6.0 to 9.5."""
    return f"6.0 + ((h / {divisor}) % 36) / 10.0"


def seed_bench_totals() -> int:
    """Give a share of the seeded therapists released check-in totals; how many rows."""
    items = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")
    statement = BENCH_TOTALS_SQL.format(
        percent=BENCH_MEASURED_PERCENT,
        therapists=TherapistProfile._meta.db_table,
        users=User._meta.db_table,
        totals=ReleasedTotals._meta.db_table,
        sums=", ".join(f"{item}_sum" for item in items),
        weak=", ".join(f"{item}_weak" for item in items),
        squares=", ".join(f"{item}_squares" for item in items),
        sum_values=", ".join(
            f"responders * ({mean})" for mean in (_bench_mean(d) for d in BENCH_MEAN_DIVISORS)
        ),
        weak_values=", ".join(
            f"responders * ((h / {divisor}) % 16) / 100.0" for divisor in (29, 31, 37, 41, 43)
        ),
        square_values=", ".join(
            f"responders * ({mean}) * ({mean}) + (responders - 1) * {BENCH_RESPONDER_SPREAD}"
            for mean in (_bench_mean(d) for d in BENCH_MEAN_DIVISORS)
        ),
    )
    with transaction.atomic(), _change_feed_paused(), connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.rowcount


def bench_therapist_count() -> int:
    """Count the benchmark's therapists in the database."""
    return TherapistProfile.objects.filter(user__email__endswith=f"@{BENCH_EMAIL_DOMAIN}").count()


def _bench_tables() -> str:
    return ", ".join(
        connection.ops.quote_name(model._meta.db_table)
        for model in (
            User,
            TherapistProfile,
            License,
            ResponderTraining,
            AllianceApproach,
            ReleasedTotals,
        )
    )


def bench_tables_vacuum() -> None:
    """Vacuum and analyze the seeded tables, as autovacuum would have long done in production.

    Right after a bulk load the planner's statistics still describe empty tables, and no page
    is marked all-visible, so index-only scans would visit the heap anyway.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {_bench_tables()}")


def bench_therapists_clear() -> None:
    """Empty the accounts tables and everything that refers to them (a benchmark database only).

    TRUNCATE reads no row, so this works whatever keys encrypted what an earlier run left
    (responders' answers, intro requests): each `make bench-*` run makes keys of its own.
    """
    if "bench" not in str(connection.settings_dict["NAME"]):
        raise RuntimeError("Refusing to empty a database whose name does not say it is a bench.")
    # The audit trail refuses TRUNCATE unless this transaction says so (profiles 0003).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL rapport.audit_truncate_allowed = 'on'")
        cursor.execute(f"TRUNCATE {_bench_tables()} RESTART IDENTITY CASCADE")


def bench_database_create_if_missing() -> None:
    """Create the configured database (the benchmark's, or the simulated world's) when
    PostgreSQL does not have it yet."""
    database = settings.DATABASES["default"]
    params = {
        "host": database.get("HOST") or "127.0.0.1",
        "port": database.get("PORT") or 5432,
        "user": database.get("USER") or "postgres",
        "password": database.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as maintenance:
        exists = maintenance.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
        if not exists:
            maintenance.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"]))
            )
