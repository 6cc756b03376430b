"""Start-up checks of the alliance settings that privacy depends on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

# Below this, a released batch is too small to hide one responder among the others.
ALLIANCE_MIN_RESPONDERS_FLOOR = 5


@register()
def alliance_min_responders_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse to start with batches smaller than ALLIANCE_MIN_RESPONDERS_FLOOR responders."""
    value = settings.ALLIANCE_MIN_RESPONDERS
    if isinstance(value, int) and value >= ALLIANCE_MIN_RESPONDERS_FLOOR:
        return []
    return [
        Error(
            f"ALLIANCE_MIN_RESPONDERS is {value!r}; it must be at least "
            f"{ALLIANCE_MIN_RESPONDERS_FLOOR}, or one responder's check-in answers could be "
            "worked out from the released figures.",
            hint=f"Set ALLIANCE_MIN_RESPONDERS to {ALLIANCE_MIN_RESPONDERS_FLOOR} or more.",
            id="alliance.E001",
        )
    ]
