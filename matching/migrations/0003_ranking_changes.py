"""Replace the one global ranking version row with a change feed: one row per changed therapist.

The old design bumped a single row on every write to the watched tables (a sign-in too), and
every process then read whole states again. Now a trigger appends (therapist_id) to
matching_rankingchange, only when a column that rankings or profile pages read has changed,
and each process re-reads only those therapists.

On PostgreSQL each row also records the id of the transaction that wrote it (txid, not in the
Django model), so a reader can tell which rows were still uncommitted when it last looked
(see matching/selectors/ranking.py).
"""

from django.db import migrations, models
import django.db.models.functions.datetime

OLD_WATCHED_TABLES = [
    "profiles_user",
    "profiles_therapistprofile",
    "profiles_license",
    "profiles_respondertraining",
    "alliance_allianceapproach",
    "matching_therapistresponsiveness",
]

FEED = "matching_rankingchange"

# Table: (the column naming the therapist, the columns whose changes do not matter).
WATCHED = {
    "profiles_therapistprofile": ("id", ["updated_at", "confirmation_reminder_sent_at"]),
    "profiles_license": (
        "therapist_id",
        ["updated_at", "decision_notified_at", "last_expiry_reminder_days"],
    ),
    "profiles_respondertraining": ("therapist_id", ["updated_at", "decision_notified_at"]),
    "alliance_allianceapproach": ("therapist_id", ["updated_at"]),
    "matching_therapistresponsiveness": ("therapist_id", ["updated_at"]),
}
MODELS = {
    "profiles_therapistprofile": ("profiles", "TherapistProfile"),
    "profiles_license": ("profiles", "License"),
    "profiles_respondertraining": ("profiles", "ResponderTraining"),
    "alliance_allianceapproach": ("alliance", "AllianceApproach"),
    "matching_therapistresponsiveness": ("matching", "TherapistResponsiveness"),
}

# A row's columns as JSON, minus the ignored ones: a new column counts by default.
# (IF NOT EXISTS: 0010_feed_triggers_generated runs this again when it is reversed.)
POSTGRES_FUNCTIONS = f"""
ALTER TABLE {FEED} ADD COLUMN IF NOT EXISTS txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX IF NOT EXISTS {FEED}_txid ON {FEED} (txid);
CREATE OR REPLACE FUNCTION matching_note_ranking_change() RETURNS trigger AS $$
DECLARE
    id_column text := TG_ARGV[0];
    ignored text[] := TG_ARGV[1:TG_NARGS - 1];
    before jsonb;
    after jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN before := to_jsonb(OLD) - ignored; END IF;
    IF TG_OP <> 'DELETE' THEN after := to_jsonb(NEW) - ignored; END IF;
    IF before IS NOT DISTINCT FROM after THEN
        RETURN NULL;
    END IF;
    INSERT INTO {FEED} (therapist_id)
    SELECT DISTINCT therapist
    FROM (VALUES ((before ->> id_column)::bigint), ((after ->> id_column)::bigint)) AS t(therapist)
    WHERE therapist IS NOT NULL;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION matching_note_user_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO {FEED} (therapist_id)
    SELECT id FROM profiles_therapistprofile WHERE user_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION matching_note_ranking_reset() RETURNS trigger AS $$
BEGIN
    INSERT INTO {FEED} (therapist_id) VALUES (NULL);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER profiles_user_ranking_change
    AFTER UPDATE OF is_active ON profiles_user FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION matching_note_user_change();
CREATE TRIGGER profiles_user_ranking_reset
    AFTER TRUNCATE ON profiles_user FOR EACH STATEMENT
    EXECUTE FUNCTION matching_note_ranking_reset();
"""
POSTGRES_TRIGGERS = """
CREATE TRIGGER {table}_ranking_change
    AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW
    EXECUTE FUNCTION matching_note_ranking_change({arguments});
CREATE TRIGGER {table}_ranking_reset
    AFTER TRUNCATE ON {table} FOR EACH STATEMENT
    EXECUTE FUNCTION matching_note_ranking_reset();
"""

SQLITE_USER_TRIGGER = f"""
CREATE TRIGGER profiles_user_ranking_change
    AFTER UPDATE OF is_active ON profiles_user
    WHEN OLD.is_active IS NOT NEW.is_active
    BEGIN
        INSERT INTO {FEED} (therapist_id)
        SELECT id FROM profiles_therapistprofile WHERE user_id = NEW.id;
    END
"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {{table}}_ranking_change_insert AFTER INSERT ON {{table}}
    BEGIN INSERT INTO {FEED} (therapist_id) VALUES (NEW.{{id}}); END""",
    f"""CREATE TRIGGER {{table}}_ranking_change_delete AFTER DELETE ON {{table}}
    BEGIN INSERT INTO {FEED} (therapist_id) VALUES (OLD.{{id}}); END""",
    f"""CREATE TRIGGER {{table}}_ranking_change_update AFTER UPDATE ON {{table}}
    WHEN {{changed}}
    BEGIN
        INSERT INTO {FEED} (therapist_id) SELECT NEW.{{id}} UNION SELECT OLD.{{id}};
    END""",
]


def drop_version_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in OLD_WATCHED_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_version ON {table}")
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_version_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS matching_bump_ranking_version()")
        schema_editor.execute("DROP SEQUENCE IF EXISTS matching_ranking_version_seq")


def install_change_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTIONS)
        for table, (id_column, ignored) in WATCHED.items():
            arguments = ", ".join(f"'{name}'" for name in [id_column, *ignored])
            schema_editor.execute(POSTGRES_TRIGGERS.format(table=table, arguments=arguments))
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_USER_TRIGGER)
        for table, (id_column, ignored) in WATCHED.items():
            model = apps.get_model(*MODELS[table])
            columns = [
                f.column for f in model._meta.concrete_fields if f.column not in ignored
            ]
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            for statement in SQLITE_TRIGGERS:
                schema_editor.execute(
                    statement.format(table=table, id=id_column, changed=changed)
                )


def drop_change_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS profiles_user_ranking_change ON profiles_user")
        schema_editor.execute("DROP TRIGGER IF EXISTS profiles_user_ranking_reset ON profiles_user")
        for table in WATCHED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_change ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_reset ON {table}")
        for function in ("ranking_change", "user_change", "ranking_reset"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS matching_note_{function}()")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS profiles_user_ranking_change")
        for table in WATCHED:
            for event in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_change_{event}")


class Migration(migrations.Migration):
    # After every migration that remakes a watched table: SQLite checks its triggers when a
    # table is remade, and the sign-in trigger names the therapist table.
    dependencies = [
        ("matching", "0002_intro_requests"),
        ("profiles", "0006_merge_contact_and_site"),
        ("alliance", "0004_merge_0003_checkins_0003_working_style"),
    ]

    operations = [
        migrations.RunPython(drop_version_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="RankingVersion"),
        migrations.CreateModel(
            name="RankingChange",
            fields=[
                ("seq", models.BigAutoField(primary_key=True, serialize=False)),
                ("therapist_id", models.BigIntegerField(null=True)),
                (
                    "changed_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now()
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["therapist_id", "seq"], name="ranking_change_therapist_idx"
                    ),
                    models.Index(fields=["changed_at"], name="ranking_change_time_idx"),
                ],
            },
        ),
        migrations.RunPython(install_change_triggers, drop_change_triggers),
    ]
