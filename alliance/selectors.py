from __future__ import annotations

from alliance.models import AllianceApproach
from profiles.models import TherapistProfile


def alliance_approach_for(*, therapist: TherapistProfile) -> AllianceApproach:
    """The therapist's alliance approach, or an unsaved empty one."""
    approach = AllianceApproach.objects.filter(therapist=therapist).first()
    return approach or AllianceApproach(therapist=therapist)


def alliance_missing(therapist: TherapistProfile) -> list[str]:
    approach = alliance_approach_for(therapist=therapist)
    missing = [f"How you build {label.lower()}" for label in approach.missing_traits]
    if not approach.practices:
        missing.append("At least one practice you follow")
    return missing
