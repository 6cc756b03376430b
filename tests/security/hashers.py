"""A real password hasher for timing tests: Django's PBKDF2 with fewer rounds."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FewerRoundsPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Real hashing that still costs tens of milliseconds, well above a request's noise."""

    iterations = 300_000
