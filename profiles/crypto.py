"""Encryption at rest for what a responder tells Rapport (Fernet, with key rotation)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(plain: str) -> str:
    """Encrypt with the first configured key."""
    return _current().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    """Decrypt with whichever configured key made the token."""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never include the token or any plain text: this message can reach a log.
        raise DecryptionError("A stored value matches none of FIELD_ENCRYPTION_KEYS.") from None


def reencrypt_text(token: str) -> str:
    """Re-encrypt a token under the first configured key (for key rotation)."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("A stored value matches none of FIELD_ENCRYPTION_KEYS.") from None
