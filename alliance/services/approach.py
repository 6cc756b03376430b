from __future__ import annotations

from typing import Any

from django.db import transaction

from alliance.models import AllianceApproach
from profiles.models import TherapistProfile
from profiles.services.therapists import therapist_completeness_refresh


@transaction.atomic
def alliance_approach_update(
    *, therapist: TherapistProfile, fields: dict[str, Any]
) -> AllianceApproach:
    """Save the therapist's statements and practices for the four alliance traits."""
    approach, created = AllianceApproach.objects.select_for_update().get_or_create(
        therapist=therapist
    )
    values = {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }
    if not created and all(getattr(approach, name) == value for name, value in values.items()):
        return approach
    for name, value in values.items():
        setattr(approach, name, value)
    approach.full_clean()
    approach.save()
    therapist_completeness_refresh(therapist=therapist)
    return approach
