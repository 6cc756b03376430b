"""The four traits of the therapeutic alliance, and practices that build them.

Practices are stored as a bit mask (profiles.fields.ChoiceSetField): add new ones at the end.
"""

from __future__ import annotations

from django.db import models

from profiles import vocabulary


class Trait(models.TextChoices):
    RESPECT_TRUST = "respect_trust", "Respect and trust"
    COLLABORATION = "collaboration", "Collaboration"
    EMPATHY = "empathy", "Empathy"
    ADAPTABILITY = "adaptability", "Adaptability"


class Practice(models.TextChoices):
    EXPLAINS_CONFIDENTIALITY = (
        "explains_confidentiality",
        "I explain confidentiality and its limits in the first session",
    )
    NO_AGENCY_CONTACT = (
        "no_agency_contact",
        "I never contact your department or agency without your written consent",
    )
    GOALS_TOGETHER = "goals_together", "We set goals together in the first sessions"
    REVIEWS_PROGRESS = "reviews_progress", "We look at progress toward your goals together"
    YOU_SET_PACE = "you_set_pace", "You set the pace for talking about hard calls"
    KNOWS_THE_JOB = (
        "knows_the_job",
        "I know the job's language: shifts, calls, critical incidents, internal affairs",
    )
    ASKS_FEEDBACK = "asks_feedback", "I ask for feedback on how our work is going"
    CHANGES_APPROACH = "changes_approach", "If an approach is not working for you, we change it"


# How a therapist works, on four scales from 1 to 5 between two poles, in Rapport's own words.
STYLE_DIMENSIONS = vocabulary.STYLE_DIMENSIONS
STYLE_POLES: dict[str, tuple[str, str]] = {
    "lead": (
        "The therapist brings a plan, structure and practice between sessions",
        "The client leads: we talk about what comes up",
    ),
    "focus": ("Skills for now", "Making sense of what happened and why"),
    "pace": ("Go straight at the hard things", "Take it slow and build trust first"),
    "tone": ("Warm and encouraging", "Direct, challenges the client"),
}
STYLE_TITLES = {
    "lead": "Who leads",
    "focus": "Focus",
    "pace": "Pace",
    "tone": "Tone",
}


def style_scale_choices(dimension: str) -> list[tuple[str, str]]:
    """The five points of one scale, each said in words."""
    first, second = STYLE_POLES[dimension]
    return [
        ("1", first),
        ("2", f"Leaning toward {first[0].lower()}{first[1:]}"),
        ("3", "In between"),
        ("4", f"Leaning toward {second[0].lower()}{second[1:]}"),
        ("5", second),
    ]


# Which trait each practice builds: profiles.vocabulary's, whose order the classes keep.
PRACTICE_TRAIT: dict[str, str] = vocabulary.PRACTICE_TRAIT
vocabulary.check_same_order("Trait", Trait.values, vocabulary.TRAITS)
vocabulary.check_same_order("Practice", Practice.values, vocabulary.PRACTICES)
