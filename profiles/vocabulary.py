"""Rapport's vocabularies: the values responders and therapists choose from, in one place.

Plain Python with no Django import, so the scoring and the ranking read it as they are.
`profiles.choices` and `alliance.choices` give these values their labels for forms, and
check at import that they list the same values in the same order.

The order of each tuple is the order of bits when a set of its values is stored as a bit
mask (profiles.fields.ChoiceSetField), in the database and in the ranking's columns alike:
add new values at the end; never reorder or remove one without a data migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SERVICES = (
    "police", "fire", "ems", "dispatch", "corrections", "search_rescue",
    "emergency_management", "other",
)  # fmt: skip
SERVICE_STATUSES = ("active", "retired")
CONCERNS = (
    "critical_incident", "trauma", "depression", "anxiety", "sleep", "substance",
    "relationships", "grief", "moral_injury", "burnout", "anger", "injury_pain", "career",
    "other",
)  # fmt: skip
# Concerns for which a trauma-focused method counts, and the methods that are trauma-focused.
TRAUMA_CONCERNS = frozenset({"trauma", "critical_incident"})
METHODS = ("emdr", "cpt", "pe", "cbt", "dbt", "act", "couples", "group")
TRAUMA_FOCUSED_METHODS = frozenset({"emdr", "cpt", "pe"})
HOURS = ("weekday_daytime", "evenings", "weekends", "early_mornings", "rotating_shifts")
FORMATS = ("in_person", "telehealth")
FORMAT_PREFERENCES = ("either", "in_person", "telehealth")
LANGUAGES = (
    "en", "es", "zh", "vi", "tl", "ar", "fr", "ko", "ru", "de", "ht", "pt", "pl", "ja", "hi",
    "it", "ase",
)  # fmt: skip
GENDERS = ("woman", "man", "nonbinary", "undisclosed")
PAYMENTS = ("insurance", "eap", "workers_comp", "self_pay")
INSURANCE_CARRIERS = (
    "aetna", "blue_cross", "cigna", "united", "humana", "kaiser", "medicare", "medicaid",
    "tricare", "other",
)  # fmt: skip
AGENCY_WORK = ("contracted", "embedded", "peer_support_advisor")
# Agency work that an evaluator-wary responder does not count as a plus: employed by agencies.
AGENCY_EMPLOYED = frozenset({"contracted", "embedded"})
LIVED_EXPERIENCE = ("own_service", "family")
AGENCY_EVALUATIONS = ("fitness_for_duty", "pre_employment", "other")
TRAINING_KINDS = ("certification", "cultural_course", "ride_along", "critical_incident", "other")

# The therapeutic alliance: four traits, and the practices a therapist names for each.
TRAITS = ("respect_trust", "collaboration", "empathy", "adaptability")
# A check-in asks one item per trait, and "the way we work fits me".
FIT_ITEM = "fit"
CHECKIN_ITEMS = (*TRAITS, FIT_ITEM)
PRACTICE_TRAIT = {
    "explains_confidentiality": "respect_trust",
    "no_agency_contact": "respect_trust",
    "goals_together": "collaboration",
    "reviews_progress": "collaboration",
    "you_set_pace": "empathy",
    "knows_the_job": "empathy",
    "asks_feedback": "adaptability",
    "changes_approach": "adaptability",
}
PRACTICES = tuple(PRACTICE_TRAIT)

# Working style: four scales from 1 to 5 between two poles.
STYLE_DIMENSIONS = ("lead", "focus", "pace", "tone")
STYLE_SCALE = (1, 5)

# What matters most to a responder: each trait, and "understands responder culture".
RESPONDER_CULTURE = "responder_culture"
IMPORTANCE_KEYS = (*TRAITS, RESPONDER_CULTURE)
IMPORTANCE_DEFAULT = 2
IMPORTANCE_MAX = 3
TRAVEL_MILES_DEFAULT = 25
TRAVEL_MILES_MAX = 200


def bit_mask(values: Iterable[str], order: Sequence[str]) -> int:
    """A set of values as a bit mask: a value's bit is its position in `order`."""
    return sum(1 << order.index(value) for value in set(values) if value in order)


def check_same_order(name: str, labelled: Iterable[str], values: Sequence[str]) -> None:
    """Refuse to start when a labelled vocabulary lists other values, or in another order."""
    if tuple(labelled) != tuple(values):
        raise ImportError(f"{name} must list exactly profiles.vocabulary's values, in order.")
