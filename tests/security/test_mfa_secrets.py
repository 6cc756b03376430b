"""Two-factor secrets are stored encrypted with the field keys, and still work."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.e2e.helpers import current_totp_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY_OLD, KEY_NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PLAIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"


def _stored(authenticator: Authenticator) -> str:
    """The row as a plain dump of the table would show it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return cursor.fetchone()[0]


def test_a_totp_secret_is_stored_encrypted_and_codes_still_work(totp_user_factory) -> None:
    user = UserFactory()
    secret = totp_user_factory(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    stored = _stored(authenticator)
    assert secret not in stored
    assert '"secret": "fernet:gAAAA' in stored
    assert TOTP(authenticator).validate_code(current_totp_code(secret))
    assert not TOTP(authenticator).validate_code("000000")


def test_a_recovery_seed_is_stored_encrypted_and_codes_still_work() -> None:
    user = UserFactory()
    codes = RecoveryCodes.activate(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    stored = _stored(authenticator)
    assert '"seed": "fernet:gAAAA' in stored
    unused = codes.get_unused_codes()
    assert all(code not in stored for code in unused)
    assert RecoveryCodes(authenticator).validate_code(unused[0])


def test_the_migration_encrypts_secrets_stored_in_the_clear() -> None:
    user = UserFactory()
    # As allauth stored them before the adapter encrypted anything.
    plain = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": PLAIN_SECRET}
    )
    seeded = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    migration = importlib.import_module("profiles.migrations.0004_encrypt_mfa_secrets")

    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)  # running it twice encrypts once

    for authenticator in (plain, seeded):
        stored = _stored(authenticator)
        assert PLAIN_SECRET not in stored and "ab" * 40 not in stored
        assert "12345678" not in stored
    plain.refresh_from_db()
    assert TOTP(plain).validate_code(current_totp_code(PLAIN_SECRET))
    seeded.refresh_from_db()
    assert RecoveryCodes(seeded).validate_code("12345678")


def test_a_secret_stored_in_the_clear_is_refused(totp_user_factory) -> None:
    user = UserFactory()
    authenticator = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": PLAIN_SECRET}
    )
    with pytest.raises(Exception, match="stored unencrypted"):
        TOTP(authenticator).validate_code(current_totp_code(PLAIN_SECRET))


def test_rotating_keys_reencrypts_two_factor_secrets(totp_user_factory) -> None:
    user = UserFactory()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        secret = totp_user_factory(user)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, KEY_OLD]):
        call_command("rotate_field_keys", new_key_rolled_out=True, stdout=StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW]):
        authenticator = Authenticator.objects.get(user=user)
        assert TOTP(authenticator).validate_code(current_totp_code(secret))
