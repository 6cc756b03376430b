"""Values every page's template may read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from config.middleware import is_time_limited

# How long before a therapist's or staff member's idle limit the page warns (at most).
SESSION_WARNING_SECONDS = 5 * 60


def session_limits(request: HttpRequest) -> dict[str, Any]:
    """The idle limit of a time-limited sign-in, for the warning before it ends (0: none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_time_limited(user):
        return {"session_idle_seconds": 0}
    idle = settings.SESSION_IDLE_TIMEOUT_SECONDS
    return {
        "session_idle_seconds": idle,
        "session_warning_seconds": min(SESSION_WARNING_SECONDS, idle // 3),
    }
