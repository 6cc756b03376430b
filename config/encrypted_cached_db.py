"""Sessions read from Redis and written through to the database, encrypted in both.

A session holds what allauth records of a sign-in, the email address used included. With
this store, Redis and the database hold only a Fernet token made with the first of
FIELD_ENCRYPTION_KEYS (the same keys as encrypted fields, so the same rotation): no
address, answer or flash message in clear. A session that no configured key can read (made
before this store, or under a key since dropped) is treated as empty: the person signs in
again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db

from profiles.crypto import DecryptionError, decrypt_text, encrypt_text

logger = logging.getLogger("rapport.sessions")


class SessionStore(cached_db.SessionStore):
    """Django's cached_db store, caching the encrypted encoding instead of the dictionary."""

    def encode(self, session_dict: dict[str, Any]) -> str:
        return encrypt_text(super().encode(session_dict))

    def decode(self, session_data: str) -> dict[str, Any]:
        try:
            signed = decrypt_text(session_data)
        except DecryptionError:
            logger.info("a session no configured key can read was treated as empty")
            return {}
        return super().decode(signed)

    def load(self) -> dict[str, Any]:
        try:
            encoded = self._cache.get(self.cache_key)
        except Exception:  # as Django's: an unreadable cache entry counts as a miss
            encoded = None
        if isinstance(encoded, str):
            return self.decode(encoded)
        stored = self._get_session_from_db()
        if not stored:
            return {}
        self._cache.set(
            self.cache_key, stored.session_data, self.get_expiry_age(expiry=stored.expire_date)
        )
        return self.decode(stored.session_data)

    def save(self, must_create: bool = False) -> None:
        super(cached_db.SessionStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self.encode(self._session), self.get_expiry_age())
        except Exception:
            logger.warning("a session could not be written to the cache")
