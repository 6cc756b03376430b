"""The change feed's triggers, generated from matching/feed_triggers/ on both databases.

Until now the triggers were written by hand in 0003, 0005, 0007 and 0008: PostgreSQL's
compared whole rows minus a list of ignored columns, SQLite's named the columns the models
had when they were made. This drops them and installs the generated ones, which compare
exactly the columns matching/feed_triggers/ declares as watched, on both databases, and
append the same feed rows. (On SQLite, released totals now follow PostgreSQL's rule: an
update that changes nothing appends no row, and one that moves a row to another therapist
notes both.)

Reversing it brings back the hand-written triggers of 0003 and 0008 (0005 only remade
0003's SQLite triggers for the columns then present, which 0003's code does by itself).
"""

from importlib import import_module

from django.db import migrations

from matching import feed_triggers

# The hand-written triggers and functions, as 0003, 0007 and 0008 named them.
LEGACY_TABLES = [
    "profiles_therapistprofile",
    "profiles_license",
    "profiles_respondertraining",
    "alliance_allianceapproach",
    "matching_therapistresponsiveness",
    "alliance_releasedtotals",
]
LEGACY_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS profiles_user_ranking_change ON profiles_user",
    "DROP TRIGGER IF EXISTS profiles_user_ranking_reset ON profiles_user",
    *(
        f"DROP TRIGGER IF EXISTS {table}_ranking_{kind} ON {table}"
        for table in LEGACY_TABLES
        for kind in ("change", "reset")
    ),
    *(
        f"DROP FUNCTION IF EXISTS matching_note_{name}()"
        for name in ("ranking_change", "user_change", "ranking_reset", "totals_change")
    ),
]
LEGACY_SQLITE = [
    "DROP TRIGGER IF EXISTS profiles_user_ranking_change",
    *(
        f"DROP TRIGGER IF EXISTS {table}_ranking_change_{event}"
        for table in LEGACY_TABLES
        for event in ("insert", "update", "delete")
    ),
]


def drop_legacy(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": LEGACY_POSTGRESQL, "sqlite": LEGACY_SQLITE}.get(vendor, []):
        schema_editor.execute(statement)


def restore_legacy(apps, schema_editor):
    import_module("matching.migrations.0003_ranking_changes").install_change_triggers(
        apps, schema_editor
    )
    import_module("matching.migrations.0008_ranking_changes_population").install(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0009_candidate_load_covering_indexes"),
        ("alliance", "0005_released_totals"),
        ("profiles", "0006_merge_contact_and_site"),
    ]

    operations = [
        migrations.RunPython(drop_legacy, restore_legacy),
        migrations.RunPython(
            feed_triggers.Install(digest="af0c70879e701f1b"), feed_triggers.uninstall
        ),
    ]
