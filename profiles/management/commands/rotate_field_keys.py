"""Re-encrypt every encrypted field with the first of FIELD_ENCRYPTION_KEYS, safely.

The order that locks no one out (README, "Rotating the field keys"):
1. Roll out FIELD_ENCRYPTION_KEYS=new,old to every web, worker and beat process.
2. Run this command with the same keys and --new-key-rolled-out.
3. When it says so, drop the old key from every process; keep it with the backups made
   before the rotation for as long as they are kept.

Before it writes anything the command reads every stored value and refuses, changing
nothing, when a value matches none of the keys, when only one key is given, or when the
first key already encrypts every value (the new key was put last, or there is nothing to
do). After rotating it reads every value again with the first key alone, and says that the
old keys may go only when that holds.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from profiles.crypto import reencrypt_text
from profiles.fields import EncryptedJSONField, EncryptedTextField
from profiles.mfa import ENCRYPTED_PREFIX, authenticator_data_map, secret_reencrypt

BATCH_ROWS = 500
# Marks a stored value that no configured key can read.
NO_KEY = -1


def key_fingerprint(key: str) -> str:
    """A short name for a key that says nothing about it: the start of its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


class Command(BaseCommand):
    help = (
        "Re-encrypt stored values under the first of FIELD_ENCRYPTION_KEYS, after checking "
        "that the keys read every value, and say when the old keys can be dropped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key-rolled-out",
            action="store_true",
            help="Every web, worker and beat process already runs with these keys, the new "
            "one first. Without it, the command only checks and reports.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = list(settings.FIELD_ENCRYPTION_KEYS)
        fernets = [Fernet(key) for key in keys]
        names = [key_fingerprint(key) for key in keys]
        self.stdout.write(f"Keys, first encrypts: {', '.join(names)}.")

        # 1. Read every value: which key reads it, and none may be unreadable.
        before = self._count_by_key(fernets)
        total = sum(before.values())
        if before[NO_KEY]:
            raise CommandError(
                f"{before[NO_KEY]} of {total} stored values match none of the keys; nothing "
                "was changed. Add the key they were written with to FIELD_ENCRYPTION_KEYS."
            )
        if len(keys) < 2:
            raise CommandError(
                "Only one key is configured. Put the new key first and keep the old one after "
                "it (FIELD_ENCRYPTION_KEYS=new,old), roll that out to every process, then run "
                "this again."
            )
        if total and before[0] == total:
            raise CommandError(
                f"The first key ({names[0]}) already encrypts all {total} values: nothing to "
                "rotate. If you added a new key, it must come first; if the rotation is done, "
                f"the other keys ({', '.join(names[1:])}) may be dropped."
            )
        self.stdout.write(
            f"Every one of {total} values is readable: "
            + ", ".join(f"{before[i]} under {name}" for i, name in enumerate(names))
            + "."
        )
        if not options["new_key_rolled_out"]:
            raise CommandError(
                "Checked only. Once every web, worker and beat process runs with "
                f"FIELD_ENCRYPTION_KEYS starting with {names[0]}, run this again with "
                "--new-key-rolled-out: a process without the new key could not read what "
                "this writes."
            )

        # 2. Rotate.
        done = 0
        for model in apps.get_models():
            for column in _encrypted_columns(model):
                done += self._rotate(model._meta.db_table, model._meta.pk.column, column)
        done += self._rotate_two_factor_secrets()
        self.stdout.write(f"Re-encrypted {done} values.")

        # 3. Read everything again with the first key alone.
        after = self._count_by_key(fernets[:1])
        left = sum(count for index, count in after.items() if index != 0)
        if left:
            raise CommandError(
                f"{left} values are still not under the first key (written meanwhile by a "
                "process with the old keys first?). Keep every key and run this again."
            )
        old = ", ".join(names[1:])
        self.stdout.write(
            f"Every value ({sum(after.values())}) is now under the first key ({names[0]}). It "
            f"is safe to drop the old keys ({old}) from FIELD_ENCRYPTION_KEYS on every "
            "process. Keep them, stored apart, for as long as you keep the backups made before "
            "now: a restored backup needs them."
        )

    def _count_by_key(self, fernets: list[Fernet]) -> Counter[int]:
        """Count stored values by the index of the first key that reads them (NO_KEY: none)."""
        counts: Counter[int] = Counter()
        for token in _stored_tokens():
            counts[_reading_key(fernets, token)] += 1
        return counts

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
        done = 0
        for rows in _batches(table, pk, column):
            with connection.cursor() as cursor:
                for row_pk, token in rows:
                    cursor.execute(
                        f"UPDATE {_q(table)} SET {_q(column)} = %s "  # noqa: S608
                        f"WHERE {_q(pk)} = %s",
                        [reencrypt_text(token), row_pk],
                    )
                    done += 1
        return done


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _encrypted_columns(model: Any) -> list[str]:
    return [
        field.column
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    ]


def _batches(table: str, pk: str, column: str) -> Iterator[list[tuple[Any, str]]]:
    """Yield the non-empty values of one column in batches, each in its own transaction."""
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"WHERE {_q(pk)} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {_q(pk)}, {_q(column)} FROM {_q(table)} "  # noqa: S608
                f"{where}ORDER BY {_q(pk)} LIMIT {BATCH_ROWS}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
            yield [(row_pk, token) for row_pk, token in rows if token]
        if len(rows) < BATCH_ROWS:
            return
        last = rows[-1][0]


def _stored_tokens() -> Iterator[str]:
    """Every encrypted value in the database: fields, then two-factor secrets."""
    for model in apps.get_models():
        for column in _encrypted_columns(model):
            for rows in _batches(model._meta.db_table, model._meta.pk.column, column):
                for _pk, token in rows:
                    yield token
    secrets: list[str] = []
    for data in Authenticator.objects.values_list("data", flat=True).iterator():
        authenticator_data_map(data, _collect_into(secrets))
    for secret in secrets:
        # A secret stored in the clear (never, since migration 0004) reads with no key.
        yield secret.removeprefix(ENCRYPTED_PREFIX) if secret.startswith(ENCRYPTED_PREFIX) else ""


def _collect_into(found: list[str]) -> Callable[[str], str]:
    def collect(value: str) -> str:
        found.append(value)
        return value

    return collect


def _reading_key(fernets: list[Fernet], token: str) -> int:
    for index, fernet in enumerate(fernets):
        try:
            fernet.decrypt(token.encode())
        except InvalidToken:
            continue
        return index
    return NO_KEY
