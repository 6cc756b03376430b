"""The change feed's triggers for PostgreSQL and SQLite, generated from declarations.py, and
the migration operations that install them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import migrations

from matching.feed_triggers.declarations import (
    FEED_TABLE,
    WATCHED_TABLES,
    WatchedTable,
)

# Given a watched table, the columns it has (at the migration being run, or now).
ColumnsOf = Callable[[WatchedTable], Iterable[str]]


def _watched_columns(table: WatchedTable, columns_of: ColumnsOf) -> list[str]:
    """The watched columns the table has at the migration being run."""
    present = set(columns_of(table))
    return [column for column in table.watched if column in present]


def _feed_insert(table: WatchedTable, rows: tuple[str, ...], *, postgresql: bool) -> str:
    """One INSERT into the feed naming each therapist of the given rows (OLD, NEW) once."""
    targets, grouped = "therapist_id", "therapist_id"
    if table.population is not None:
        targets += ", population"
        grouped += ", bool_or(population)" if postgresql else ", max(population)"
    selects = []
    for row in rows:
        values = table.therapist.format(row=row) + " AS therapist_id"
        if table.population is not None:
            values += ", " + table.population.format(row=row) + " AS population"
        # PostgreSQL runs one function for every event: a row absent from the event is skipped.
        guard = {"OLD": " WHERE TG_OP <> 'INSERT'", "NEW": " WHERE TG_OP <> 'DELETE'"}[row]
        selects.append(f"SELECT {values}{guard if postgresql else ''}")
    union = "\n        UNION ALL\n        ".join(selects)
    # Every name in it is a declared identifier (checked by WatchedTable): nothing from input.
    return (
        f"INSERT INTO {FEED_TABLE} ({targets})\n"  # noqa: S608
        f"    SELECT {grouped} FROM (\n        {union}\n    ) AS changed\n"
        f"    WHERE therapist_id IS NOT NULL\n"
        f"    GROUP BY therapist_id;"
    )


def _changed(columns: list[str], distinct: str) -> str:
    return "\n        OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def postgresql_install(table: WatchedTable, columns_of: ColumnsOf) -> list[str]:
    """The function and triggers of one table on PostgreSQL."""
    columns = _watched_columns(table, columns_of)
    function = table.function_name
    body = _feed_insert(table, ("OLD", "NEW"), postgresql=True)
    statements = [
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n    {body}\n    RETURN NULL;\nEND;\n$$"
    ]
    if table.inserts_and_deletes:
        statements.append(
            f"CREATE TRIGGER {table.table}_feed_change\n"
            f"    AFTER INSERT OR DELETE ON {table.table} FOR EACH ROW\n"
            f"    EXECUTE FUNCTION {function}()"
        )
    statements += [
        f"CREATE TRIGGER {table.table}_feed_update\n"
        f"    AFTER UPDATE OF {', '.join(columns)} ON {table.table} FOR EACH ROW\n"
        f"    WHEN ({_changed(columns, 'IS DISTINCT FROM')})\n"
        f"    EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table.table}_feed_reset\n"
        f"    AFTER TRUNCATE ON {table.table} FOR EACH STATEMENT\n"
        f"    EXECUTE FUNCTION matching_feed_reset()",
    ]
    return statements


def sqlite_install(table: WatchedTable, columns_of: ColumnsOf) -> list[str]:
    """The triggers of one table on SQLite (one per event: a trigger body sees OLD or NEW)."""
    columns = _watched_columns(table, columns_of)
    statements = []
    if table.inserts_and_deletes:
        statements.append(
            f"CREATE TRIGGER {table.table}_feed_insert AFTER INSERT ON {table.table}\n"
            f"BEGIN\n    {_feed_insert(table, ('NEW',), postgresql=False)}\nEND"
        )
    statements.append(
        f"CREATE TRIGGER {table.table}_feed_update\n"
        f"    AFTER UPDATE OF {', '.join(columns)} ON {table.table}\n"
        f"    WHEN {_changed(columns, 'IS NOT')}\n"
        f"BEGIN\n    {_feed_insert(table, ('OLD', 'NEW'), postgresql=False)}\nEND"
    )
    if table.inserts_and_deletes:
        statements.append(
            f"CREATE TRIGGER {table.table}_feed_delete AFTER DELETE ON {table.table}\n"
            f"BEGIN\n    {_feed_insert(table, ('OLD',), postgresql=False)}\nEND"
        )
    return statements


POSTGRESQL_RESET_FUNCTION = """\
CREATE FUNCTION matching_feed_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO matching_rankingchange (therapist_id) VALUES (NULL);
    RETURN NULL;
END;
$$"""


def install_statements(
    vendor: str, columns_of: ColumnsOf, tables: Iterable[WatchedTable] = WATCHED_TABLES
) -> list[str]:
    """Every statement that makes the feed's triggers (and functions) on the vendor."""
    # A migration older than a watched table (or column) sees it absent: it is left out.
    tables = [table for table in tables if _watched_columns(table, columns_of)]
    if vendor == "postgresql":
        statements = [POSTGRESQL_RESET_FUNCTION]
        for table in tables:
            statements += postgresql_install(table, columns_of)
        return statements
    if vendor == "sqlite":
        return [statement for table in tables for statement in sqlite_install(table, columns_of)]
    raise NotImplementedError(f"the change feed has no triggers for {vendor}")


def drop_statements(vendor: str, tables: Iterable[WatchedTable] = WATCHED_TABLES) -> list[str]:
    """Every statement that removes what install_statements makes (each IF EXISTS)."""
    statements = []
    for table in tables:
        if vendor == "postgresql":
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table.table}"
                for name in table.trigger_names(vendor)
            ]
            statements.append(f"DROP FUNCTION IF EXISTS {table.function_name}()")
        elif vendor == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {name}" for name in table.trigger_names(vendor)]
    if vendor == "postgresql":
        statements.append("DROP FUNCTION IF EXISTS matching_feed_reset()")
    return statements


def declarations_digest(tables: Iterable[WatchedTable] = WATCHED_TABLES) -> str:
    """A short fingerprint of what the declarations generate, on both vendors.

    A migration that installs the triggers names the digest it was written for; a test
    fails when the newest such migration names another, as `makemigrations --check` does
    for models: the declarations (or the generator) changed without a migration.
    """
    tables = list(tables)

    def declared(table: WatchedTable) -> Iterable[str]:
        return table.watched

    text = "\n".join(
        statement
        for vendor in ("postgresql", "sqlite")
        for statement in (
            *install_statements(vendor, declared, tables),
            *drop_statements(vendor, tables),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _historical_columns(apps: Any) -> ColumnsOf:
    def columns_of(table: WatchedTable) -> list[str]:
        try:
            model = apps.get_model(table.app_label, table.model_name)
        except LookupError:
            return []
        return [f.column for f in model._meta.concrete_fields]

    return columns_of


@dataclass(frozen=True)
class Install:
    """RunPython code: (re)make the feed's triggers for the models as they stand then.

    `digest` is declarations_digest() when the migration was written. Installing always
    uses today's declarations, limited to the columns the historical models have, so a
    fresh database and an upgraded one end the same; the digest only lets a test tell
    that a change to the declarations still needs its migration.
    """

    digest: str

    def __call__(self, apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for statement in drop_statements(vendor):
            schema_editor.execute(statement)
        for statement in install_statements(vendor, _historical_columns(apps)):
            schema_editor.execute(statement)


def uninstall(apps: Any, schema_editor: Any) -> None:
    """RunPython code: remove the feed's triggers."""
    for statement in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def with_triggers_remade(*operations: Any, digest: str) -> list[Any]:
    """A migration's operations on watched tables, with the triggers dropped and made again.

    Forwards: drop, change the schema, install for the new columns. Backwards: drop, undo,
    install for the old columns (RunPython's reverse sees the models before the operations).
    """
    install = Install(digest)
    return [
        migrations.RunPython(uninstall, install),
        *operations,
        migrations.RunPython(install, uninstall),
    ]
