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
# Each point of a scale three ways: short, in the therapist's own voice, for the editor's
# choices (whole on a phone); as the profile says it ("Usually ..."); and as a range ("Can
# adapt from ... to ...").
STYLE_POINTS: dict[str, tuple[str, ...]] = {
    "lead": (
        "1: I bring the plan and practice",
        "2: Mostly my plan",
        "3: We share the lead",
        "4: Mostly the client leads",
        "5: The client leads",
    ),
    "focus": (
        "1: Skills for now",
        "2: Mostly skills for now",
        "3: Skills and making sense",
        "4: Mostly making sense",
        "5: Making sense of what happened",
    ),
    "pace": (
        "1: Straight at the hard things",
        "2: Soon at the hard things",
        "3: A steady pace",
        "4: Slowly at first",
        "5: Slow, trust first",
    ),
    "tone": (
        "1: Warm and encouraging",
        "2: Mostly warm",
        "3: Warm but direct",
        "4: Mostly direct",
        "5: Direct, challenges the client",
    ),
}
STYLE_USUALLY: dict[str, tuple[str, ...]] = {
    "lead": (
        "brings a plan, structure and practice between sessions",
        "brings a plan, with room for what comes up",
        "shares the lead: a plan, and room for what comes up",
        "follows the client's lead, with a little structure",
        "lets the client lead and talks about what comes up",
    ),
    "focus": (
        "works on skills for now",
        "works mostly on skills for now, with some looking back",
        "works on skills for now and on making sense of what happened",
        "works mostly on making sense of what happened, with some skills",
        "works on making sense of what happened and why",
    ),
    "pace": (
        "goes straight at the hard things",
        "gets to the hard things soon",
        "keeps a steady pace",
        "takes it slowly at first",
        "takes it slow and builds trust first",
    ),
    "tone": (
        "is warm and encouraging",
        "is mostly warm, and direct when it counts",
        "is warm but direct",
        "is mostly direct, with warmth",
        "is direct and challenges the client",
    ),
}
STYLE_RANGE: dict[str, tuple[str, ...]] = {
    "lead": (
        "bringing the whole plan",
        "bringing most of the plan",
        "sharing the lead",
        "letting the client lead most of the time",
        "letting the client lead",
    ),
    "focus": (
        "skills for now",
        "mostly skills",
        "skills and making sense of things",
        "mostly making sense of what happened",
        "making sense of what happened and why",
    ),
    "pace": (
        "going straight at the hard things",
        "getting to them soon",
        "a steady pace",
        "going slowly at first",
        "going slow and building trust first",
    ),
    "tone": (
        "warm and encouraging",
        "mostly warm",
        "warm but direct",
        "mostly direct",
        "direct and challenging",
    ),
}


def style_scale_choices(dimension: str) -> list[tuple[str, str]]:
    """The five points of one scale, each said in a few words, for choosing one."""
    return [(str(n), words) for n, words in enumerate(STYLE_POINTS[dimension], start=1)]


def style_sentence(dimension: str, usual: int, low: int, high: int) -> str:
    """Where a therapist usually works on one scale and how far they adapt, as sentences."""
    text = f"Usually {STYLE_USUALLY[dimension][usual - 1]}."
    if low == high:
        return text + " Keeps to this."
    words = STYLE_RANGE[dimension]
    return text + f" Can adapt anywhere from {words[low - 1]} to {words[high - 1]}."


# Which trait each practice builds: profiles.vocabulary's, whose order the classes keep.
PRACTICE_TRAIT: dict[str, str] = vocabulary.PRACTICE_TRAIT
vocabulary.check_same_order("Trait", Trait.values, vocabulary.TRAITS)
vocabulary.check_same_order("Practice", Practice.values, vocabulary.PRACTICES)
