"""Writes to the ranking's change feed: only pruning; triggers do the appending."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from matching.models import RANKING_CHANGES_KEPT_HOURS, RankingChange


def ranking_changes_prune(*, now: dt.datetime | None = None) -> int:
    """Delete feed rows older than the feed keeps; every running process has read them."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=RANKING_CHANGES_KEPT_HOURS)
    deleted, _ = RankingChange.objects.filter(changed_at__lt=cutoff).delete()
    return deleted
