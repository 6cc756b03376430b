"""The sections of the therapist's profile editor, and how complete each one is.

Apps that own a section of the profile (alliance does) register it here from their
AppConfig.ready(), so profiles never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from profiles.models import TherapistProfile


@dataclass(frozen=True)
class EditorSection:
    key: str
    title: str
    url_name: str
    order: int
    # Returns what is still missing, in words a therapist understands; empty when complete.
    missing: Callable[[TherapistProfile], list[str]]


@dataclass(frozen=True)
class SectionStatus:
    section: EditorSection
    missing: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Completeness:
    sections: tuple[SectionStatus, ...]

    @property
    def complete_count(self) -> int:
        return sum(1 for status in self.sections if status.is_complete)

    @property
    def percent(self) -> int:
        if not self.sections:
            return 0
        return round(100 * self.complete_count / len(self.sections))

    @property
    def is_complete(self) -> bool:
        return all(status.is_complete for status in self.sections)


_sections: dict[str, EditorSection] = {}


def register_section(section: EditorSection) -> None:
    """Add a section to the editor; registering the same key again replaces it."""
    _sections[section.key] = section


def editor_sections() -> list[EditorSection]:
    return sorted(_sections.values(), key=lambda section: section.order)


def profile_completeness(therapist: TherapistProfile) -> Completeness:
    """Check every section of the profile and list what each still needs."""
    return Completeness(
        sections=tuple(
            SectionStatus(section=section, missing=tuple(section.missing(therapist)))
            for section in editor_sections()
        )
    )


def saved_message(therapist: TherapistProfile, saved: str) -> tuple[bool, str]:
    """What to say after a save: (is_warning, text).

    A published profile that a save left incomplete is hidden from responders until it is
    complete again; the therapist is told so, and what is missing, at once.
    """
    if not therapist.is_published:
        return False, saved
    completeness = profile_completeness(therapist)
    if completeness.is_complete:
        return False, saved
    missing = [item for status in completeness.sections for item in status.missing]
    return True, (
        f"{saved} Responders cannot find you until your profile is complete again. "
        f"Still missing: {'; '.join(missing)}."
    )


def editor_context(therapist: TherapistProfile, **extra: Any) -> dict[str, Any]:
    """What every page of the editor shows: its sections, what each still needs, and where
    the profile stands (listed or not, and why)."""
    from profiles.status import therapist_status

    completeness = profile_completeness(therapist)
    return {
        "therapist": therapist,
        "completeness": completeness,
        "status": therapist_status(therapist=therapist, completeness=completeness),
        **extra,
    }
