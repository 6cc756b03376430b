"""The ranking's change feed: which writes note a therapist, and the triggers that do it.

Every table the ranking or a therapist's profile page reads is declared here once, with the
columns whose changes matter (`watched`), the columns whose changes do not (`ignored`, each
with its reason), how the row names its therapist, and whether a change moves the
population that measured alliance is shrunk toward. The database triggers of both vendors
are generated from these declarations (see matching.models.RankingChange for the feed and
matching/ranking/feed.py for its reader):

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

from matching.feed_triggers.declarations import (
    ALLIANCE_APPROACH,
    FEED_TABLE,
    INTRO_REQUESTS,
    LICENSES,
    RELEASED_TOTALS,
    RESPONSIVENESS,
    THERAPIST_PROFILE,
    TRAININGS,
    USERS,
    WATCHED_TABLES,
    WatchedTable,
)
from matching.feed_triggers.sql import (
    POSTGRESQL_RESET_FUNCTION,
    Install,
    declarations_digest,
    drop_statements,
    install_statements,
    postgresql_install,
    sqlite_install,
    uninstall,
    with_triggers_remade,
)

__all__ = [
    "ALLIANCE_APPROACH",
    "FEED_TABLE",
    "INTRO_REQUESTS",
    "LICENSES",
    "POSTGRESQL_RESET_FUNCTION",
    "RELEASED_TOTALS",
    "RESPONSIVENESS",
    "THERAPIST_PROFILE",
    "TRAININGS",
    "USERS",
    "WATCHED_TABLES",
    "Install",
    "WatchedTable",
    "declarations_digest",
    "drop_statements",
    "install_statements",
    "postgresql_install",
    "sqlite_install",
    "uninstall",
    "with_triggers_remade",
]
