from __future__ import annotations

from django.db import models


class RankingVersion(models.Model):
    """One row whose number changes whenever anything a ranking reads is written.

    Database triggers (see the migration) change it on every insert, update or delete of
    the tables behind the ranking, including bulk updates and raw SQL that Django's signals
    would miss. Each web process keeps its ranking arrays until the number changes.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"ranking version {self.version}"
