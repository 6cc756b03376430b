"""Two-factor secrets at rest: allauth's MFA adapter, encrypting with the field keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter

from profiles.crypto import DecryptionError, decrypt_text, encrypt_text, reencrypt_text

# Marks a value this adapter encrypted; TOTP secrets (base32) and recovery seeds (hex)
# never start with it.
ENCRYPTED_PREFIX = "fernet:"


def secret_encrypt(plain: str) -> str:
    return ENCRYPTED_PREFIX + encrypt_text(plain)


def secret_decrypt(stored: str) -> str:
    if not stored.startswith(ENCRYPTED_PREFIX):
        # Never a plain secret: every stored one was encrypted by migration 0004.
        raise DecryptionError("A two-factor secret is stored unencrypted.")
    return decrypt_text(stored.removeprefix(ENCRYPTED_PREFIX))


def secret_reencrypt(stored: str) -> str:
    """Encrypt under the first key: a plain value, or one made with an older key."""
    if stored.startswith(ENCRYPTED_PREFIX):
        return ENCRYPTED_PREFIX + reencrypt_text(stored.removeprefix(ENCRYPTED_PREFIX))
    return secret_encrypt(stored)


def authenticator_data_map(data: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    """Apply `change` to every secret in an authenticator's data: the TOTP key, the
    recovery-code seed, and recovery codes carried over from elsewhere."""
    changed = dict(data)
    for key in ("secret", "seed"):
        if isinstance(changed.get(key), str):
            changed[key] = change(changed[key])
    if isinstance(changed.get("migrated_codes"), list):
        changed["migrated_codes"] = [change(code) for code in changed["migrated_codes"]]
    return changed


class MFAAdapter(DefaultMFAAdapter):
    """Keep TOTP secrets and recovery seeds encrypted with FIELD_ENCRYPTION_KEYS."""

    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
