"""The database role the application runs under, when it is not the tables' owner.

Migrations run as the owner; web, worker and beat connect as an application role that
may read and write every table except the audit trail, which it may only read and add
to. Without ownership it can neither drop the audit trail's trigger nor alter the table.
"""

from __future__ import annotations

import re

from django.db import connections

AUDIT_TABLE = "profiles_auditentry"
MIGRATIONS_TABLE = "django_migrations"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grant(*, role: str, using: str) -> None:
    """Give the application role its rights on every table, as the owner, after migrating."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"DATABASE_APP_ROLE {role!r} is not a plain role name.")
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        for sql in (
            f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {quoted}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {MIGRATIONS_TABLE} FROM {quoted}",
        ):
            cursor.execute(sql)
