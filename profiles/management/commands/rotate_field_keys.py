"""Re-encrypt every encrypted field with the first of FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from profiles.crypto import reencrypt_text
from profiles.fields import EncryptedJSONField, EncryptedTextField
from profiles.mfa import authenticator_data_map, secret_reencrypt

BATCH_ROWS = 500


class Command(BaseCommand):
    help = "Re-encrypt stored values under the newest key, so old keys can be retired."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            columns = [
                field.column
                for field in model._meta.concrete_fields
                if isinstance(field, EncryptedTextField | EncryptedJSONField)
            ]
            for column in columns:
                total += self._rotate(model._meta.db_table, model._meta.pk.column, column)
        total += self._rotate_two_factor_secrets()
        self.stdout.write(f"Re-encrypted {total} values.")

    def _rotate_two_factor_secrets(self) -> int:
        done = 0
        for pk in Authenticator.objects.values_list("pk", flat=True).iterator():
            with transaction.atomic():
                authenticator = Authenticator.objects.select_for_update().get(pk=pk)
                authenticator.data = authenticator_data_map(authenticator.data, secret_reencrypt)
                authenticator.save(update_fields=["data"])
                done += 1
        return done

    def _rotate(self, table: str, pk: str, column: str) -> int:
        quote = connection.ops.quote_name
        done, last = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {quote(pk)} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
                    f"{where}ORDER BY {quote(pk)} LIMIT {BATCH_ROWS}",
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
                for row_pk, token in rows:
                    if token:
                        cursor.execute(
                            f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                            f"WHERE {quote(pk)} = %s",
                            [reencrypt_text(token), row_pk],
                        )
                        done += 1
            if len(rows) < BATCH_ROWS:
                return done
            last = rows[-1][0]
