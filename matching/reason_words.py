"""The words scoring uses in its reasons, one table per vocabulary.

Plain Python, like matching/scoring.py. tests/matching/test_scoring.py checks that each
table covers every choice of its vocabulary in profiles.choices and alliance.choices.
"""

from __future__ import annotations

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
