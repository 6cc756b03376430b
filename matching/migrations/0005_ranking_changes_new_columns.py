"""Watch the columns added since the change feed's triggers were made, on SQLite too.

PostgreSQL's trigger compares whole rows, so a new column counts there by itself. SQLite's
update triggers name their columns; they are made again here from the current models
(profile_complete, works_with_retired, the working-style scales).
"""

from importlib import import_module

from django.db import migrations

feed = import_module("matching.migrations.0003_ranking_changes")


def remake_sqlite_update_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    statement = feed.SQLITE_TRIGGERS[2]
    for table, (id_column, ignored) in feed.WATCHED.items():
        model = apps.get_model(*feed.MODELS[table])
        columns = [f.column for f in model._meta.concrete_fields if f.column not in ignored]
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_change_update")
        schema_editor.execute(statement.format(table=table, id=id_column, changed=changed))


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_candidate_load_indexes"),
        ("profiles", "0004_therapist_works_with_retired"),
        ("alliance", "0003_working_style"),
    ]

    operations = [
        migrations.RunPython(remake_sqlite_update_triggers, migrations.RunPython.noop),
    ]
