"""The ranking's change feed: which writes note a therapist, and the triggers that do it.

Every table the ranking or a therapist's profile page reads is declared here once, with the
columns whose changes matter (`watched`), the columns whose changes do not (`ignored`, each
with its reason), how the row names its therapist, and whether a change moves the
population that measured alliance is shrunk toward. The database triggers of both vendors
are generated from these declarations (see matching.models.RankingChange for the feed and
matching/selectors/ranking.py for its reader):

- an insert or a delete notes the row's therapist (users excepted: see USERS);
- an update notes the therapist before and after, only when a watched column changed
  (`UPDATE OF <watched>` with a `WHEN` that compares each watched column, on both vendors);
- on PostgreSQL, emptying a table (TRUNCATE) appends one row without a therapist, which
  every process reads as "read every state again".

Invariants (tests/matching/test_feed_triggers.py holds them):
- every concrete column of a watched model is either watched or ignored, never both and
  never neither, so a new column cannot be silently left out on either database;
- a write appends at most one feed row per therapist it names, and none for a therapist
  id that is NULL (a NULL row means "everything changed");
- `population` is set only by released totals: True when a row over all services
  (service '') changed, False otherwise; NULL for every other table.
- the installed triggers are exactly the generated ones, on a fresh database and on one
  upgraded from the hand-written triggers alike.

To add a column to a watched model: list it in `watched` or `ignored` below, and make its
migration drop and install the triggers around the schema change:
`operations = feed_triggers.with_triggers_remade(migrations.AddField(...), digest=...)`,
with the digest the failing test names (declarations_digest()).
On SQLite a table remade by a migration (most AlterField and RemoveField operations) loses
its triggers, so such migrations need the same wrapping.

No model is imported here: migrations import this module, and they pass their own
historical models (`apps`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import migrations

FEED_TABLE = "matching_rankingchange"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class WatchedTable:
    """One table behind the ranking or the profile page, and which of its writes count."""

    app_label: str
    model_name: str
    table: str
    # SQL naming the row's therapist, with {row} standing for OLD or NEW.
    therapist: str
    watched: tuple[str, ...]
    # Column -> why its changes do not matter.
    ignored: dict[str, str] = field(default_factory=dict)
    # SQL for the feed row's `population` flag, with {row} for OLD or NEW; None leaves it NULL.
    population: str | None = None
    # Whether inserting or deleting a row notes its therapist.
    inserts_and_deletes: bool = True

    def __post_init__(self) -> None:
        for name in (self.table, *self.watched, *self.ignored):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"{name!r} is not a plain lower-case SQL identifier")
        both = set(self.watched) & set(self.ignored)
        if both:
            raise ValueError(f"{self.table}: {sorted(both)} both watched and ignored")

    @property
    def function_name(self) -> str:
        return f"matching_feed_{self.table}"

    def trigger_names(self, vendor: str) -> list[str]:
        """The names of this table's triggers on the vendor, in the order they are made."""
        if vendor == "postgresql":
            names = [f"{self.table}_feed_update", f"{self.table}_feed_reset"]
            if self.inserts_and_deletes:
                names.insert(0, f"{self.table}_feed_change")
            return names
        events = ("insert", "update", "delete") if self.inserts_and_deletes else ("update",)
        return [f"{self.table}_feed_{event}" for event in events]


_VETTING_BOOKKEEPING = {
    "updated_at": "set on every save, whatever changed",
    "decision_notified_at": "when the therapist was emailed the decision; shown nowhere",
}
_UPDATED_AT = {"updated_at": "set on every save, whatever changed"}

# The therapist profile: everything on the card and the profile page, and who is listed.
_IDENTITY = ("id", "user_id", "public_id", "full_name", "credentials", "pronouns", "bio", "photo")
_EXPERIENCE = (
    "years_serving_responders", "responder_caseload_percent", "services_served", "agency_work",
    "ride_along_hours", "lived_experience", "works_with_retired", "agency_evaluations",
    "focus_concerns", "methods_trained", "methods_certified",
)  # fmt: skip
_PRACTICAL = (
    "formats", "office_zip", "office_city", "office_state", "office_latitude",
    "office_longitude", "telehealth_states", "languages", "gender", "hours",
    "reschedules_around_shifts", "payment_methods", "insurance_carriers", "fee_min_dollars",
    "fee_max_dollars", "sliding_scale",
    # How a responder reaches them once an intro is accepted.
    "new_client_contact", "new_client_phone", "booking_url",
)  # fmt: skip
_LISTING = (
    "accepting_new_clients", "open_slots", "published_at", "profile_complete", "confirmed_at",
)  # fmt: skip

THERAPIST_PROFILE = WatchedTable(
    app_label="profiles",
    model_name="TherapistProfile",
    table="profiles_therapistprofile",
    therapist="{row}.id",
    # created_at never changes after the insert; watched as the whole-row triggers always did.
    watched=(*_IDENTITY, *_EXPERIENCE, *_PRACTICAL, *_LISTING, "created_at"),
    ignored={
        "updated_at": "set on every save, whatever changed",
        "confirmation_reminder_sent_at": "when the last please-confirm email went out",
    },
)

# A user row notes only when the account is switched on or off: an inactive therapist is not
# listed. Inserting a user notes nothing (no profile yet), and deleting one deletes the
# profile first, which notes itself.
USERS = WatchedTable(
    app_label="profiles",
    model_name="User",
    table="profiles_user",
    therapist="(SELECT id FROM profiles_therapistprofile WHERE user_id = {row}.id)",
    watched=("is_active",),
    ignored={
        "id": "a user's id never changes; the profile names it through user_id",
        "password": "a new password changes nothing a responder sees",
        "last_login": "written on every sign-in",
        "is_superuser": "staff rights, not the listing",
        "email": "the sign-in address, never shown on a card or profile",
        "role": "fixed at sign-up",
        "is_staff": "staff rights, not the listing",
        "date_joined": "shown nowhere the ranking reads",
    },
    inserts_and_deletes=False,
)

# The decision and the record the reviewer saw: status decides who is listed; the rest
# changes together with it or with a resubmission, and was always watched.
_VETTED_RECORD = (
    "id", "therapist_id", "status", "decision_reason", "decided_at", "decided_by_id",
    "document", "document_content_type", "submitted_at", "created_at",
)  # fmt: skip

LICENSES = WatchedTable(
    app_label="profiles",
    model_name="License",
    table="profiles_license",
    therapist="{row}.therapist_id",
    # State and expiry decide where a therapist is listed; type and number are on the page.
    watched=(*_VETTED_RECORD, "state", "license_type", "number", "expires_on", "board_lookup_url"),
    ignored={
        **_VETTING_BOOKKEEPING,
        "last_expiry_reminder_days": "which expiry reminder was sent last",
    },
)

TRAININGS = WatchedTable(
    app_label="profiles",
    model_name="ResponderTraining",
    table="profiles_respondertraining",
    therapist="{row}.therapist_id",
    # Kind and hours feed the training factor; the rest is listed on the profile page.
    watched=(*_VETTED_RECORD, "kind", "name", "issuer", "completed_on", "hours"),
    ignored=dict(_VETTING_BOOKKEEPING),
)

_STATEMENTS = ("respect_trust", "collaboration", "empathy", "adaptability")
_STYLE = tuple(
    f"style_{dimension}_{part}"
    for dimension in ("lead", "focus", "pace", "tone")
    for part in ("usual", "low", "high")
)

ALLIANCE_APPROACH = WatchedTable(
    app_label="alliance",
    model_name="AllianceApproach",
    table="alliance_allianceapproach",
    therapist="{row}.therapist_id",
    # Statements are on the profile page; practices and working style are scored.
    watched=("id", "therapist_id", *_STATEMENTS, "practices", *_STYLE),
    ignored=dict(_UPDATED_AT),
)

RESPONSIVENESS = WatchedTable(
    app_label="matching",
    model_name="TherapistResponsiveness",
    table="matching_therapistresponsiveness",
    therapist="{row}.therapist_id",
    # Answer rate and speed are scored.
    watched=("id", "therapist_id", "decided", "answered", "median_answer_hours"),
    ignored=dict(_UPDATED_AT),
)

_ITEMS = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")
_SUMS = tuple(f"{item}_sum" for item in _ITEMS)
_WEAK = tuple(f"{item}_weak" for item in _ITEMS)

# Released check-in totals: every column is measured alliance. A row over all services
# (service '') also makes the population every measured alliance is shrunk toward.
RELEASED_TOTALS = WatchedTable(
    app_label="alliance",
    model_name="ReleasedTotals",
    table="alliance_releasedtotals",
    therapist="{row}.therapist_id",
    watched=("id", "therapist_id", "service", "checkins", "responders", *_SUMS, *_WEAK),
    population="{row}.service = ''",
)

WATCHED_TABLES: tuple[WatchedTable, ...] = (
    USERS,
    THERAPIST_PROFILE,
    LICENSES,
    TRAININGS,
    ALLIANCE_APPROACH,
    RESPONSIVENESS,
    RELEASED_TOTALS,
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
