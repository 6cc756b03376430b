"""The change feed's triggers watch exactly the columns matching/feed_triggers/ declares.

These tests also run on the embedded SQLite database (`make test` runs this file a second
time with a SQLite DATABASE_URL), since each database has triggers of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils import timezone

from alliance.models import ReleasedTotals
from matching import feed_triggers
from matching.feed_triggers import WATCHED_TABLES, WatchedTable
from matching.models import IntroRequest, RankingChange, TherapistResponsiveness
from profiles import choices
from profiles.fields import ChoiceSetField
from profiles.models import TherapistProfile, User
from tests.factories import (
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    TrainingFactory,
    UserFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.sqlite

REPOSITORY = Path(__file__).resolve().parents[2]
LAST_HAND_WRITTEN = "0009_candidate_load_covering_indexes"
MIGRATE_TIMEOUT_SECONDS = 180


def model_of(table: WatchedTable) -> type[models.Model]:
    return apps.get_model(table.app_label, table.model_name)


def current_columns(table: WatchedTable) -> list[str]:
    return [f.column for f in model_of(table)._meta.concrete_fields]


def undeclared_columns(table: WatchedTable, columns: list[str]) -> set[str]:
    return set(columns) - set(table.watched) - set(table.ignored)


# --- every column is watched or ignored -----------------------------------------------------


@pytest.mark.parametrize("table", WATCHED_TABLES, ids=lambda table: table.table)
def test_every_column_of_a_watched_model_is_watched_or_ignored(table: WatchedTable) -> None:
    model = model_of(table)
    assert model._meta.db_table == table.table
    columns = current_columns(table)
    assert undeclared_columns(table, columns) == set(), (
        f"{table.table}: list each new column in matching/feed_triggers/declarations.py, "
        "as watched or ignored, and remake the triggers in its migration "
        "(feed_triggers.with_triggers_remade)"
    )
    declared = set(table.watched) | set(table.ignored)
    assert declared - set(columns) == set(), f"{table.table}: declared columns it does not have"
    assert all(reason.strip() for reason in table.ignored.values())


@pytest.mark.django_db
@pytest.mark.parametrize("table", WATCHED_TABLES, ids=lambda table: table.table)
def test_every_column_in_the_database_is_watched_or_ignored(table: WatchedTable) -> None:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table.table)
    assert undeclared_columns(table, [column.name for column in description]) == set()


def test_a_column_left_out_of_both_lists_is_reported() -> None:
    without_bio = WatchedTable(
        app_label="profiles",
        model_name="TherapistProfile",
        table="profiles_therapistprofile",
        therapist="{row}.id",
        watched=tuple(c for c in feed_triggers.THERAPIST_PROFILE.watched if c != "bio"),
        ignored=feed_triggers.THERAPIST_PROFILE.ignored,
    )
    assert undeclared_columns(without_bio, current_columns(without_bio)) == {"bio"}


def test_a_column_both_watched_and_ignored_is_refused() -> None:
    with pytest.raises(ValueError, match="both watched and ignored"):
        WatchedTable(
            app_label="matching",
            model_name="TherapistResponsiveness",
            table="matching_therapistresponsiveness",
            therapist="{row}.therapist_id",
            watched=("therapist_id", "updated_at"),
            ignored={"updated_at": "set on every save"},
        )


# --- a change to the declarations comes with its migration ----------------------------------


def installs_in_migration_order() -> list[tuple[str, feed_triggers.Install]]:
    """Every migration that installs the generated triggers, in the order migrate runs them."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan: list[tuple[str, str]] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    installs = []
    for key in plan:
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython) and isinstance(
                operation.code, feed_triggers.Install
            ):
                installs.append((".".join(key), operation.code))
    return installs


def test_the_newest_trigger_migration_installs_todays_declarations() -> None:
    installs = installs_in_migration_order()
    assert installs, "no migration installs the generated triggers"
    migration, newest = installs[-1]
    assert newest.digest == feed_triggers.declarations_digest(), (
        f"matching/feed_triggers/ changed since {migration}: add a migration with "
        f"RunPython(feed_triggers.Install(digest={feed_triggers.declarations_digest()!r}), "
        "feed_triggers.uninstall), or feed_triggers.with_triggers_remade around a column's own"
    )


def test_a_changed_declaration_changes_the_digest() -> None:
    without_bio = WatchedTable(
        app_label="profiles",
        model_name="TherapistProfile",
        table="profiles_therapistprofile",
        therapist="{row}.id",
        watched=tuple(c for c in feed_triggers.THERAPIST_PROFILE.watched if c != "bio"),
        ignored={**feed_triggers.THERAPIST_PROFILE.ignored, "bio": "a mutation"},
    )
    changed = [without_bio if t is feed_triggers.THERAPIST_PROFILE else t for t in WATCHED_TABLES]
    assert feed_triggers.declarations_digest(changed) != feed_triggers.declarations_digest()


# --- the installed triggers are the generated ones ------------------------------------------


def installed_triggers(cursor: Any, vendor: str) -> dict[str, str]:
    """Every trigger (and, on PostgreSQL, trigger function) of the database, by name."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        )
        found = {f"trigger {name}": definition for name, definition in cursor.fetchall()}
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
        )
        return found | {f"function {name}": source for name, source in cursor.fetchall()}
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    return {f"trigger {name}": definition for name, definition in cursor.fetchall()}


def feed_objects(installed: dict[str, str]) -> dict[str, str]:
    return {name: sql for name, sql in installed.items() if "feed" in name or "ranking" in name}


@pytest.mark.django_db
def test_the_installed_triggers_are_exactly_the_generated_ones() -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        before = installed_triggers(cursor, vendor)
        names = {
            f"trigger {name}" for table in WATCHED_TABLES for name in table.trigger_names(vendor)
        }
        assert names <= before.keys()
        # Nothing of the hand-written triggers is left.
        assert not any("ranking" in name for name in before)
        if vendor == "sqlite":
            generated = feed_triggers.install_statements(vendor, current_columns)
            assert sorted(feed_objects(before).values()) == sorted(generated)
        # Made again from the declarations and today's models, in a transaction undone after.
        with transaction.atomic():
            for statement in feed_triggers.drop_statements(vendor):
                cursor.execute(statement)
            assert feed_objects(installed_triggers(cursor, vendor)) == {}
            for statement in feed_triggers.install_statements(vendor, current_columns):
                cursor.execute(statement)
            again = installed_triggers(cursor, vendor)
            transaction.set_rollback(True)
    assert again == before


# --- each watched column notes its therapist, each ignored one nothing ----------------------


def _other_text(value: str | None, max_length: int | None) -> str:
    value = value or ""
    end = "y" if value.endswith("x") else "x"
    return value[: (max_length or 1000) - 1] + end


def changed_values(
    field: models.Field, current: Any, others: dict[str, Any], row: models.Model
) -> dict[str, Any]:
    """The columns to write so that `field` holds another valid value (a few need a partner)."""
    name = field.attname
    if field.primary_key:
        return {name: current + 1_000_000}
    if isinstance(field, models.ForeignKey):
        return {name: others[field.related_model._meta.label]}
    if isinstance(field, ChoiceSetField):
        if name == "methods_certified":  # must stay within methods_trained
            return {name: frozenset() if current else row.methods_trained}
        unused = next(value for value in field.choice_class.values if value not in current)
        return {name: current | {unused}}
    if isinstance(field, models.BooleanField):
        if name == "is_staff":  # staff rights need the staff role
            return {name: not current, "role": User.Role.STAFF}
        return {name: not current}
    if name == "role":
        return {name: User.Role.RESPONDER}
    if isinstance(field, models.UUIDField):
        return {name: uuid.uuid4()}
    if isinstance(field, models.DateTimeField):
        return {name: (current or timezone.now()) + dt.timedelta(hours=1)}
    if isinstance(field, models.DateField):
        return {name: (current or timezone.localdate()) + dt.timedelta(days=1)}
    if isinstance(field, models.FloatField | models.IntegerField):
        return {name: (current or 0) + 1}
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return {name: _other_text(str(current or ""), getattr(field, "max_length", None))}
    raise AssertionError(f"no other value for {field!r}: teach changed_values this field")


@pytest.fixture
def watched_rows() -> dict[str, tuple[models.Model, int]]:
    """One row of each watched table, and the therapist it names."""
    therapist = listed_therapist(
        years_serving_responders=10, fee_min_dollars=100, fee_max_dollars=150
    )
    therapist.refresh_from_db()
    TrainingFactory(therapist=therapist)
    therapist.alliance_approach.__class__.objects.filter(therapist=therapist).update(
        **{f"style_lead_{part}": 3 for part in ("usual", "low", "high")}
    )
    TherapistResponsiveness.objects.create(
        therapist=therapist, decided=4, answered=3, median_answer_hours=5.0
    )
    sums = {f"{item}_sum": 40 for item in ("respect_trust", "collaboration", "empathy")} | {
        f"{item}_sum": 40 for item in ("adaptability", "fit")
    }
    weak = {f"{item}_weak": 1 for item in ("respect_trust", "collaboration", "empathy")} | {
        f"{item}_weak": 1 for item in ("adaptability", "fit")
    }
    totals = ReleasedTotals.objects.create(
        therapist=therapist, service="", checkins=6, responders=5, **sums, **weak
    )
    intro = intro_through_service(ResponderFactory(), therapist)
    # Answered, so that every column may change without breaking the request's constraints.
    IntroRequest.objects.filter(pk=intro.pk).update(
        status=IntroRequest.Status.ACCEPTED, answered_at=timezone.now()
    )
    return {
        "profiles_user": (User.objects.get(pk=therapist.user_id), therapist.pk),
        "profiles_therapistprofile": (therapist, therapist.pk),
        "profiles_license": (therapist.licenses.get(), therapist.pk),
        "profiles_respondertraining": (therapist.trainings.get(), therapist.pk),
        "alliance_allianceapproach": (therapist.alliance_approach, therapist.pk),
        "matching_therapistresponsiveness": (therapist.responsiveness, therapist.pk),
        "alliance_releasedtotals": (totals, therapist.pk),
        "matching_introrequest": (IntroRequest.objects.get(pk=intro.pk), therapist.pk),
    }


def feed_after(write: Callable[[], object]) -> list[tuple[int | None, bool | None]]:
    """The feed rows a write appends, undone with the write afterwards."""
    last = RankingChange.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with transaction.atomic():
        write()
        rows = list(
            RankingChange.objects.filter(seq__gt=last)
            .order_by("therapist_id")
            .values_list("therapist_id", "population")
        )
        transaction.set_rollback(True)
    return rows


def column_changes(table: WatchedTable) -> Iterator[tuple[str, bool]]:
    for column in table.watched:
        yield column, True
    for column in table.ignored:
        yield column, False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "column", "watched"),
    [
        pytest.param(table, column, watched, id=f"{table.table}.{column}")
        for table in WATCHED_TABLES
        for column, watched in column_changes(table)
    ],
)
def test_a_change_of_a_watched_column_notes_the_therapist_and_of_an_ignored_one_nothing(
    watched_rows: dict[str, tuple[models.Model, int]],
    table: WatchedTable,
    column: str,
    watched: bool,
) -> None:
    row, therapist_id = watched_rows[table.table]
    model = type(row)
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    current = model.objects.filter(pk=row.pk).values_list(field.attname, flat=True).get()
    other_therapist = TherapistFactory()
    others = {
        "profiles.TherapistProfile": other_therapist.pk,
        "profiles.ResponderProfile": ResponderFactory().pk,
        "profiles.User": (
            StaffFactory() if column == "decided_by_id" else UserFactory(role="therapist")
        ).pk,
    }
    values = changed_values(field, current, others, row)
    assert values[field.attname] != current

    rows = feed_after(lambda: model.objects.filter(pk=row.pk).update(**values))

    if not watched:
        assert rows == []
        return
    noted = {therapist for therapist, _ in rows}
    if column == "therapist_id":
        assert noted == {therapist_id, other_therapist.pk}
    elif table is feed_triggers.THERAPIST_PROFILE and column == "id":
        assert noted == {therapist_id, therapist_id + 1_000_000}
    else:
        assert noted == {therapist_id}
    assert len(rows) == len(noted)  # one row per therapist
    populations = {population for _, population in rows}
    # Only a released total over all services moves the population.
    assert populations == ({True} if table is feed_triggers.RELEASED_TOTALS else {None})


@pytest.mark.django_db
def test_inserts_and_deletes_note_their_therapist() -> None:
    therapist = listed_therapist()
    rows = feed_after(lambda: TrainingFactory(therapist=therapist))
    assert rows == [(therapist.pk, None)]
    rows = feed_after(lambda: therapist.licenses.get().delete())
    assert rows == [(therapist.pk, None)]
    # A request made or deleted changes how many wait for the therapist (their load).
    responder = ResponderFactory()
    rows = feed_after(lambda: intro_through_service(responder, therapist))
    assert rows == [(therapist.pk, None)]
    intro = intro_through_service(responder, therapist)
    rows = feed_after(lambda: IntroRequest.objects.filter(pk=intro.pk).delete())
    assert rows == [(therapist.pk, None)]
    totals = {"checkins": 5, "responders": 5}
    totals |= {f"{item}_sum": 40 for item in ("respect_trust", "collaboration", "empathy")}
    totals |= {f"{item}_sum": 40 for item in ("adaptability", "fit")}
    totals |= {f"{item}_weak": 0 for item in ("respect_trust", "collaboration", "empathy")}
    totals |= {f"{item}_weak": 0 for item in ("adaptability", "fit")}
    fire = choices.Service.FIRE
    rows = feed_after(
        lambda: ReleasedTotals.objects.create(therapist=therapist, service=fire, **totals)
    )
    assert rows == [(therapist.pk, False)]  # one service's totals leave the population alone
    rows = feed_after(lambda: ReleasedTotals.objects.create(therapist=therapist, **totals))
    assert rows == [(therapist.pk, True)]
    rows = feed_after(lambda: TherapistProfile.objects.filter(pk=therapist.pk).delete())
    assert (therapist.pk, None) in rows
    assert {therapist_id for therapist_id, _ in rows} == {therapist.pk}


@pytest.mark.django_db
def test_a_write_that_changes_nothing_notes_nothing() -> None:
    therapist = listed_therapist()
    assert feed_after(lambda: therapist.save()) == []
    still_active = User.objects.filter(pk=therapist.user_id)
    assert feed_after(lambda: still_active.update(is_active=True)) == []
    staff_only = User.objects.filter(pk=StaffFactory().pk)  # no therapist profile
    assert feed_after(lambda: staff_only.update(is_active=False)) == []


# --- a fresh database and an upgraded one end the same ---------------------------------------


class Database:
    """A database of this test's own, migrated by manage.py in a process of its own."""

    def __init__(self, tmp_path: Path, name: str) -> None:
        settings = connection.settings_dict
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            self.name = f"{settings['NAME']}_{name}"[:63]
            self.params = {
                "host": settings["HOST"] or "127.0.0.1",
                "port": settings["PORT"] or 5432,
                "user": settings["USER"],
                "password": settings["PASSWORD"] or None,
            }
            auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{self.params['host']}:{self.params['port']}/{self.name}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"', f'CREATE DATABASE "{self.name}"')
        else:
            self.path = tmp_path / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, *statements: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as admin:
            for statement in statements:
                admin.execute(statement)

    def migrate(self, *target: str) -> None:
        environment = {**os.environ, "DATABASE_URL": self.url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0", *target],
            cwd=REPOSITORY,
            env=environment,
            check=True,
            capture_output=True,
            timeout=MIGRATE_TIMEOUT_SECONDS,
        )

    def triggers(self) -> dict[str, str]:
        if self.vendor == "postgresql":
            with psycopg.connect(dbname=self.name, **self.params) as other:
                return installed_triggers(other.cursor(), self.vendor)
        with sqlite3.connect(self.path) as other:
            return installed_triggers(other.cursor(), self.vendor)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')


@pytest.fixture
def scratch_databases(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    made: list[Database] = []

    def make(name: str) -> Database:
        made.append(Database(tmp_path, name))
        return made[-1]

    yield make
    for database in made:
        database.drop()


@pytest.mark.django_db
def test_a_fresh_database_and_an_upgraded_one_end_with_the_same_triggers(
    scratch_databases: Callable[[str], Database],
) -> None:
    fresh = scratch_databases("feed_fresh")
    fresh.migrate()

    upgraded = scratch_databases("feed_upgraded")
    upgraded.migrate("matching", LAST_HAND_WRITTEN)
    hand_written = upgraded.triggers()
    assert "trigger profiles_user_ranking_change" in hand_written
    upgraded.migrate()

    assert upgraded.triggers() == fresh.triggers()
    with connection.cursor() as cursor:
        assert installed_triggers(cursor, connection.vendor) == fresh.triggers()

    # And back: undoing the generated triggers brings back the hand-written ones.
    upgraded.migrate("matching", LAST_HAND_WRITTEN)
    assert upgraded.triggers() == hand_written
