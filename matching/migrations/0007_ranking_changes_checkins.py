"""Check-ins feed the ranking: a write to one notes its therapist in the change feed.

A check-in row names its plan, and the plan names the therapist, so the triggers look the
therapist up. The population mean that shrinkage pulls toward moves a little with every
check-in; processes take that up on their next cold load of a state.
"""

from django.db import migrations

FEED = "matching_rankingchange"
PLAN = "alliance_checkinplan"
CHECKIN = "alliance_checkin"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION matching_note_checkin_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO {FEED} (therapist_id)
    SELECT DISTINCT therapist_id FROM {PLAN}
    WHERE id IN (
        CASE WHEN TG_OP <> 'INSERT' THEN OLD.plan_id END,
        CASE WHEN TG_OP <> 'DELETE' THEN NEW.plan_id END
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {CHECKIN}_ranking_change
    AFTER INSERT OR UPDATE OR DELETE ON {CHECKIN} FOR EACH ROW
    EXECUTE FUNCTION matching_note_checkin_change();
CREATE TRIGGER {PLAN}_ranking_change
    AFTER INSERT OR UPDATE OR DELETE ON {PLAN} FOR EACH ROW
    EXECUTE FUNCTION matching_note_ranking_change('therapist_id');
"""
SQLITE = [
    f"""CREATE TRIGGER {CHECKIN}_ranking_change_{event.lower()} AFTER {event} ON {CHECKIN}
    BEGIN
        INSERT INTO {FEED} (therapist_id)
        SELECT therapist_id FROM {PLAN} WHERE id = {row}.plan_id;
    END"""
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
] + [
    f"""CREATE TRIGGER {PLAN}_ranking_change_{event.lower()} AFTER {event} ON {PLAN}
    BEGIN INSERT INTO {FEED} (therapist_id) VALUES ({row}.therapist_id); END"""
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
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
    for table in (CHECKIN, PLAN):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_change ON {table}")
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_ranking_change_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS matching_note_checkin_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0006_merge_threads_and_ranking_feed"),
        ("alliance", "0003_checkins"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
