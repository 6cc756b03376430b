"""The ranking reads released check-in totals now, not check-ins: the feed follows.

A check-in or a plan no longer notes anything (most of their writes, such as the email
sent or a snooze, change nothing the ranking reads). A write to a therapist's released
totals notes the therapist, and marks `population` when their totals over all services
changed, because every measured alliance is shrunk toward the population those rows make.
"""

from importlib import import_module

from django.db import migrations, models

FEED = "matching_rankingchange"
TOTALS = "alliance_releasedtotals"
OLD_TABLES = ("alliance_checkin", "alliance_checkinplan")

POSTGRES = f"""
CREATE OR REPLACE FUNCTION matching_note_totals_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    INSERT INTO {FEED} (therapist_id, population)
    SELECT therapist_id, bool_or(service = '')
    FROM (
        SELECT OLD.therapist_id, OLD.service WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT NEW.therapist_id, NEW.service WHERE TG_OP <> 'DELETE'
    ) AS t(therapist_id, service)
    GROUP BY therapist_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TOTALS}_ranking_change
    AFTER INSERT OR UPDATE OR DELETE ON {TOTALS} FOR EACH ROW
    EXECUTE FUNCTION matching_note_totals_change();
CREATE TRIGGER {TOTALS}_ranking_reset
    AFTER TRUNCATE ON {TOTALS} FOR EACH STATEMENT
    EXECUTE FUNCTION matching_note_ranking_reset();
DROP TRIGGER IF EXISTS alliance_checkin_ranking_change ON alliance_checkin;
DROP TRIGGER IF EXISTS alliance_checkinplan_ranking_change ON alliance_checkinplan;
DROP FUNCTION IF EXISTS matching_note_checkin_change();
"""
SQLITE = [
    f"""CREATE TRIGGER {TOTALS}_ranking_change_{event.lower()} AFTER {event} ON {TOTALS}
    BEGIN
        INSERT INTO {FEED} (therapist_id, population)
        VALUES ({row}.therapist_id, {row}.service = '' OR {other}.service = '');
    END"""
    for event, row, other in (
        ("INSERT", "NEW", "NEW"),
        ("UPDATE", "NEW", "OLD"),
        ("DELETE", "OLD", "OLD"),
    )
] + [
    f"DROP TRIGGER IF EXISTS {table}_ranking_change_{event}"
    for table in OLD_TABLES
    for event in ("insert", "update", "delete")
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TOTALS}_ranking_change ON {TOTALS}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TOTALS}_ranking_reset ON {TOTALS}")
        schema_editor.execute("DROP FUNCTION IF EXISTS matching_note_totals_change()")
    elif vendor == "sqlite":
        for event in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TOTALS}_ranking_change_{event}")
    # Going back to 0007 makes the check-in triggers again.
    import_module("matching.migrations.0007_ranking_changes_checkins").install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0007_ranking_changes_checkins"),
        ("alliance", "0005_released_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="rankingchange",
            name="population",
            field=models.BooleanField(null=True),
        ),
        migrations.RunPython(install, uninstall),
    ]
