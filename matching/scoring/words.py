"""The words the score uses in its reasons and a card uses around it, one table per
vocabulary.

Plain Python, like the rest of matching/scoring/. tests/matching/test_scoring.py checks that
each table covers every value of its vocabulary (profiles/vocabulary.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SERVICE_PEOPLE = {
    "police": "police officers",
    "fire": "firefighters",
    "ems": "EMTs and paramedics",
    "dispatch": "911 dispatchers",
    "corrections": "corrections officers",
    "search_rescue": "search and rescue teams",
    "emergency_management": "emergency managers",
    "other": "first responders",
}
CONCERN_WORDS = {
    "critical_incident": "critical incident stress",
    "trauma": "trauma and PTSD",
    "depression": "depression",
    "anxiety": "anxiety",
    "sleep": "sleep",
    "substance": "alcohol and substance use",
    "relationships": "relationships and family",
    "grief": "grief and line-of-duty loss",
    "moral_injury": "moral injury",
    "burnout": "burnout",
    "anger": "anger",
    "injury_pain": "injury and chronic pain",
    "career": "career change and retirement",
    "other": "other concerns",
}
METHOD_WORDS = {
    "emdr": "EMDR",
    "cpt": "CPT",
    "pe": "prolonged exposure",
    "cbt": "CBT",
    "dbt": "DBT",
    "act": "ACT",
    "couples": "couples work",
    "group": "group therapy",
}
HOURS_WORDS = {
    "weekday_daytime": "weekday daytime",
    "evenings": "evening",
    "weekends": "weekend",
    "early_mornings": "early-morning",
    "rotating_shifts": "rotating-shift",
}
LANGUAGE_WORDS = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ar": "Arabic",
    "fr": "French",
    "ko": "Korean",
    "ru": "Russian",
    "de": "German",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "pl": "Polish",
    "ja": "Japanese",
    "hi": "Hindi",
    "it": "Italian",
    "ase": "American Sign Language",
}
PAYMENT_WORDS = {
    "insurance": "health insurance",
    "eap": "agency EAP",
    "workers_comp": "workers' compensation",
    "self_pay": "self-pay",
}
CARRIER_WORDS = {
    "aetna": "Aetna",
    "blue_cross": "Blue Cross Blue Shield",
    "cigna": "Cigna",
    "united": "UnitedHealthcare",
    "humana": "Humana",
    "kaiser": "Kaiser Permanente",
    "medicare": "Medicare",
    "medicaid": "Medicaid",
    "tricare": "TRICARE",
    "other": "your carrier",
}
GENDER_WORDS = {"woman": "A woman", "man": "A man", "nonbinary": "Non-binary"}
TRAINING_WORDS = {
    "certification": "first-responder counselor certification",
    "cultural_course": "responder culture course",
    "ride_along": "ride-along hours",
    "critical_incident": "critical incident stress management training",
    "other": "first-responder training",
}
AGENCY_WORDS = {
    "contracted": "Contracted clinician for agencies",
    "embedded": "Embedded clinician in an agency",
    "peer_support_advisor": "Clinical advisor to a peer-support team",
}
LIVED_WORDS = {
    "own_service": "Served as a first responder",
    "family": "Has a first responder in the family",
}
PRACTICE_WORDS = {
    "explains_confidentiality": "Explains confidentiality and its limits in the first session",
    "no_agency_contact": "Never contacts your department without your written consent",
    "goals_together": "Sets goals together with you",
    "reviews_progress": "Reviews progress with you",
    "you_set_pace": "Lets you set the pace on hard calls",
    "knows_the_job": "Knows the job's language",
    "asks_feedback": "Asks how the work is going for you",
    "changes_approach": "Changes the approach when it is not working",
}
TRAIT_WORDS = {
    "respect_trust": "respect and trust",
    "collaboration": "collaboration",
    "empathy": "empathy",
    "adaptability": "adaptability",
}
EVALUATION_WORDS = {
    "fitness_for_duty": "fitness-for-duty evaluations",
    "pre_employment": "pre-employment screening",
    "other": "other evaluations",
}
# How a therapist works, by the side of each scale a responder asked for, as the end of a
# sentence ("Works the way you asked: brings a clear plan and keeps a steady pace").
STYLE_WORDS = {
    "lead": ("brings a clear plan", "shares the lead", "lets you lead"),
    "focus": (
        "works on skills for now",
        "works on skills and on making sense of things",
        "helps you make sense of what happened",
    ),
    "pace": ("goes straight at the hard things", "keeps a steady pace", "goes at your pace"),
    "tone": ("is warm and encouraging", "is warm but direct", "is direct and challenges you"),
}
STYLE_NAMES = {
    "lead": "who leads",
    "focus": "what to focus on",
    "pace": "the pace",
    "tone": "the tone",
}
COMPONENT_TITLES = {
    "competence": "Knows first responders",
    "alliance": "How they build the working relationship",
    "clinical": "Fits what you are dealing with",
    "practical": "Practical fit",
    "responsiveness": "Answers and keeps their profile current",
}
NOT_ENOUGH_CHECKINS = (
    "Not yet rated by enough responders in check-ins, so counted as average for now"
)
# What a card and a profile say of a therapist's capacity. Never a number: a count of
# openings or requests would tell a visitor that someone else asked.
HAS_ROOM_WORDS = "Has room for new clients"
FEW_OPENINGS_WORDS = "Few openings"
NOT_TAKING_REQUESTS_WORDS = "Not taking requests right now"
FIT_WORDS = ((85, "Strong fit"), (70, "Good fit"), (50, "Fair fit"), (0, "Partial fit"))


def fit_words(total: float) -> str:
    """A short word for a score, so the number is not the only thing a responder reads."""
    return next(words for floor, words in FIT_WORDS if total >= floor)


def room_words(*, has_room: bool, takes_requests: bool) -> str:
    """A therapist's capacity in words, from the same rules the order and requests use."""
    if not takes_requests:
        return NOT_TAKING_REQUESTS_WORDS
    return HAS_ROOM_WORDS if has_room else FEW_OPENINGS_WORDS


def listed(values: Iterable[str], words: Mapping[str, str]) -> str:
    """Values in words, joined as a sentence says them: "a", "a and b", "a, b and c"."""
    names = [words[v] for v in sorted(values) if v in words]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def style_side(value: int) -> int:
    """0 for the first pole, 1 for the middle, 2 for the second pole."""
    return 0 if value <= 2 else 1 if value == 3 else 2


def answer_time_words(median_answer_hours: float) -> str:
    """How soon the answers that came usually came, in words."""
    if median_answer_hours <= 4:
        return "within a few hours"
    if median_answer_hours <= 24:
        return "within a day"
    if median_answer_hours <= 72:
        return "within three days"
    return "after more than three days"


def answer_history_words(received: int, answered: int, median_answer_hours: float | None) -> str:
    """What a therapist's answers to intro requests were, as facts."""
    if received <= 0:
        return "New to Rapport: no intro requests yet"
    requests = f"request{'s' if received != 1 else ''}"
    if answered <= 0:
        return f"Has not answered any of their last {received} intro {requests}"
    text = f"Answered {answered} of their last {received} intro {requests}"
    if median_answer_hours is not None:
        text += f", usually {answer_time_words(median_answer_hours)}"
    return text
