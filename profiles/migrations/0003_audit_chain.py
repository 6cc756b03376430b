# Chains audit entries by hash, keeps the accounts they name, and refuses TRUNCATE too.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from profiles.audit_chain import CHAINED_FIELDS, GENESIS_HASH, entry_hash

DROP_OLD_TRIGGER = """
DROP TRIGGER IF EXISTS profiles_auditentry_append_only ON profiles_auditentry;
DROP FUNCTION IF EXISTS profiles_auditentry_append_only();
"""

# No UPDATE, no DELETE, no TRUNCATE. A database reset for tests or development sets
# rapport.audit_truncate_allowed to 'on' in its own transaction to empty the table.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION profiles_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('rapport.audit_truncate_allowed', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'audit entries cannot be changed or deleted: ' || TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER profiles_auditentry_append_only
    BEFORE UPDATE OR DELETE ON profiles_auditentry
    FOR EACH ROW EXECUTE FUNCTION profiles_auditentry_append_only();
CREATE TRIGGER profiles_auditentry_no_truncate
    BEFORE TRUNCATE ON profiles_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION profiles_auditentry_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS profiles_auditentry_no_truncate ON profiles_auditentry;
DROP TRIGGER IF EXISTS profiles_auditentry_append_only ON profiles_auditentry;
DROP FUNCTION IF EXISTS profiles_auditentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def chain_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("profiles", "AuditEntry")
    previous = GENESIS_HASH
    for sequence, entry in enumerate(AuditEntry.objects.order_by("created_at", "id"), start=1):
        values = {
            "sequence": sequence,
            "previous_hash": previous,
            **{name: getattr(entry, name) for name in CHAINED_FIELDS if name not in (
                "sequence", "previous_hash")},
        }
        digest = entry_hash(values)
        AuditEntry.objects.filter(pk=entry.pk).update(
            sequence=sequence, previous_hash=previous, entry_hash=digest
        )
        previous = digest


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0002_audit_trail'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(DROP_OLD_TRIGGER), migrations.RunPython.noop),
        migrations.AddField(
            model_name='auditentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='previous_hash',
            field=models.CharField(default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_entries', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='therapist',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='profiles.therapistprofile'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('verified', 'Verified'), ('rejected', 'Rejected'), ('document_viewed', 'Viewed a document'), ('intro_read', 'Read an intro request'), ('admin_added', 'Added in the admin'), ('admin_changed', 'Changed in the admin'), ('admin_deleted', 'Deleted in the admin'), ('admin_password_set', 'Set a password in the admin')], max_length=32),
        ),
        migrations.RunPython(_on_postgresql(APPEND_ONLY), _on_postgresql(DROP_APPEND_ONLY)),
    ]
