from __future__ import annotations

from typing import Any

from django.db import transaction

from alliance.models import AllianceApproach
from profiles.models import TherapistProfile


@transaction.atomic
def alliance_approach_update(
    *, therapist: TherapistProfile, fields: dict[str, Any]
) -> AllianceApproach:
    """Save the therapist's statements and practices for the four alliance traits."""
    approach, _ = AllianceApproach.objects.select_for_update().get_or_create(therapist=therapist)
    for name, value in fields.items():
        setattr(approach, name, value.strip() if isinstance(value, str) else value)
    approach.full_clean()
    approach.save()
    return approach
