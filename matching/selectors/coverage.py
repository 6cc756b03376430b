"""Where Rapport has therapists at all: licenses are per state, so distance cannot help."""

from __future__ import annotations

from collections.abc import Iterable

from profiles.models import License
from profiles.selectors import license_valid_q, therapists_taking_clients


def states_with_coverage(*, states: Iterable[str]) -> set[str]:
    """The states among these where a listed therapist taking new clients (with an opening
    left) holds a license."""
    return set(
        License.objects.filter(
            license_valid_q(), state__in=list(states), therapist__in=therapists_taking_clients()
        )
        .values_list("state", flat=True)
        .distinct()
    )


def state_has_coverage(*, state: str) -> bool:
    return state in states_with_coverage(states=[state])
