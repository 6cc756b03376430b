"""Celery beat's scheduler, which also tells readiness checks that beat is alive."""

from __future__ import annotations

import logging
import time

from celery.beat import PersistentScheduler

logger = logging.getLogger("rapport.beat")


class HeartbeatScheduler(PersistentScheduler):
    """The default file-backed scheduler, writing the time of each tick to the cache.

    Beat ticks at least every `beat_max_loop_interval` seconds (CELERY_BEAT_MAX_LOOP_INTERVAL),
    so a heartbeat older than a few of those means beat is stopped or stuck.
    """

    def tick(self, *args: object, **kwargs: object) -> float:
        interval = super().tick(*args, **kwargs)
        self._write_heartbeat()
        return interval

    def _write_heartbeat(self) -> None:
        from django.conf import settings
        from django.core.cache import cache

        from config.health import BEAT_HEARTBEAT_KEY

        if not settings.REDIS_URL:
            return
        try:
            cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
        except Exception as error:  # Redis down: beat keeps going, readiness says so
            logger.warning("beat could not write its heartbeat: %s", type(error).__name__)
