from django.db import migrations, models

# The tables whose rows a ranking reads. A write to any of them changes the version.
WATCHED_TABLES = [
    "profiles_user",
    "profiles_therapistprofile",
    "profiles_license",
    "profiles_respondertraining",
    "alliance_allianceapproach",
]

# PostgreSQL: the new number comes from a sequence, so it is never reused, even after a
# rolled-back transaction; the row update makes it visible only when the write commits.
POSTGRES_FUNCTION = """
CREATE SEQUENCE IF NOT EXISTS matching_ranking_version_seq;
CREATE OR REPLACE FUNCTION matching_bump_ranking_version() RETURNS trigger AS $$
BEGIN
    UPDATE matching_rankingversion SET version = nextval('matching_ranking_version_seq')
    WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER {table}_ranking_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION matching_bump_ranking_version();
"""
# SQLite (the embedded default): no sequences, so a random number stands in.
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_ranking_version_{event}
    AFTER {event} ON {table}
    BEGIN UPDATE matching_rankingversion SET version = abs(random()) WHERE id = 1; END;
"""


def install(apps, schema_editor):
    apps.get_model("matching", "RankingVersion").objects.update_or_create(
        id=1, defaults={"version": 0}
    )
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in WATCHED_TABLES:
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table))
    elif vendor == "sqlite":
        for table in WATCHED_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event))


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in WATCHED_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_version ON {table}")
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_version_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS matching_bump_ranking_version()")
        schema_editor.execute("DROP SEQUENCE IF EXISTS matching_ranking_version_seq")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("profiles", "0002_audit_trail"),
        ("alliance", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RankingVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
