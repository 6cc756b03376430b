from django.db import migrations

# Check-ins feed the ranking: a write to them changes the ranking version too.
TABLES = ["alliance_checkin", "alliance_checkinplan"]

POSTGRES_TRIGGER = """
CREATE TRIGGER {table}_ranking_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION matching_bump_ranking_version();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_ranking_version_{event}
    AFTER {event} ON {table}
    BEGIN UPDATE matching_rankingversion SET version = abs(random()) WHERE id = 1; END;
"""


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table))
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event))


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_version ON {table}")
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_version_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_intro_requests"),
        ("alliance", "0003_checkins"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
