"""Indexes for reading a state's candidates in one query (matching/selectors/candidates.py).

Both are partial, so they hold only what the load reads: verified licenses by state (an
index-only scan instead of reading every license), and the few inactive accounts (so the
load need not read every user to leave those out). Plain SQL that PostgreSQL and SQLite
both accept; the models do not need to know about them.
"""

from django.db import migrations

INDEXES = {
    "matching_verified_license_state": (
        "profiles_license (state, therapist_id, expires_on) WHERE status = 'verified'"
    ),
    "matching_inactive_user": "profiles_user (id) WHERE NOT is_active",
}


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_ranking_changes"),
        ("profiles", "0002_audit_trail"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON {definition}", f"DROP INDEX IF EXISTS {name}"
        )
        for name, definition in INDEXES.items()
    ]
