"""A responder's answers: who is asking, and their answers in words."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from alliance.choices import Trait
from matching.forms.intake import RESPONDER_STYLE_QUESTIONS, style_scale
from matching.intake import IMPORTANCE_KEYS, Intake
from profiles import choices
from profiles.models import ResponderProfile, User
from profiles.services.accounts import answers_from_session


def intake_for_request(request: HttpRequest) -> Intake:
    """The answers of whoever is asking: a responder's profile, or the visitor's session."""
    user = request.user
    if user.is_authenticated and user.role == User.Role.RESPONDER:
        profile = ResponderProfile.objects.filter(user=user).only("answers").first()
        return Intake.from_dict(profile.answers if profile else None)
    return Intake.from_dict(answers_from_session(session=request.session))


def choice_labels(choice_class: type, values: frozenset[str] | set[str]) -> list[str]:
    lookup = dict(choice_class.choices)
    order = {value: index for index, value in enumerate(choice_class.values)}
    return [lookup[v] for v in sorted(values, key=lambda v: order.get(v, 99)) if v in lookup]


@dataclass(frozen=True)
class AnswerGroup:
    step: str
    title: str
    rows: tuple[tuple[str, str], ...]


STYLE_ANSWER_WORDS = {
    dim: {int(value): label for value, label in style_scale(dim).choices if value}
    for dim in RESPONDER_STYLE_QUESTIONS
}


def intake_summary(intake: Intake) -> list[AnswerGroup]:
    """The answers in words, grouped by the intake step that asks them."""
    none = "Not answered"

    def join(items: list[str]) -> str:
        return ", ".join(items) if items else none

    def label(choice_class: type, value: str) -> str:
        return dict(choice_class.choices).get(value, none) if value else none

    importance_words = ["Not important", "Somewhat", "Important", "Matters most"]
    importance_rows = []
    for key in IMPORTANCE_KEYS:
        name = Trait(key).label if key in Trait.values else "Understands responder culture"
        importance_rows.append((name, importance_words[intake.importance[key]]))
    travel = f"{intake.travel_miles} miles" if intake.zip_code else none
    return [
        AnswerGroup(
            "work",
            "Your work",
            (
                ("Service", label(choices.Service, intake.service)),
                ("Serving now", label(choices.ServiceStatus, intake.service_status)),
            ),
        ),
        AnswerGroup(
            "place",
            "Where and how",
            (
                ("State", label(choices.State, intake.state)),
                ("ZIP code", intake.zip_code or none),
                ("Meeting", label(choices.FormatPreference, intake.format_preference)),
                ("Travel", travel),
            ),
        ),
        AnswerGroup(
            "concerns",
            "What you are dealing with",
            (("Concerns", join(choice_labels(choices.Concern, intake.concerns))),),
        ),
        AnswerGroup(
            "preferences",
            "Preferences",
            (
                ("Methods wanted", join(choice_labels(choices.Method, intake.methods_wanted))),
                ("Methods to avoid", join(choice_labels(choices.Method, intake.methods_avoided))),
                (
                    "Therapist's gender",
                    label(choices.Gender, intake.therapist_gender)
                    + (" (only)" if intake.gender_required else ""),
                ),
                (
                    "Languages",
                    join(choice_labels(choices.Language, intake.languages))
                    + (" (only)" if intake.language_required else ""),
                ),
                (
                    "Fitness-for-duty evaluators",
                    "Leave them out" if intake.avoid_fitness_evaluators else "No preference",
                ),
                (
                    "Pre-employment screeners",
                    "Leave them out" if intake.avoid_preemployment_evaluators else "No preference",
                ),
            ),
        ),
        AnswerGroup(
            "style",
            "How you want therapy to work",
            tuple(
                (
                    RESPONDER_STYLE_QUESTIONS[dim],
                    "No preference" if value is None else STYLE_ANSWER_WORDS[dim][value],
                )
                for dim, value in (
                    ("lead", intake.style_lead),
                    ("focus", intake.style_focus),
                    ("pace", intake.style_pace),
                    ("tone", intake.style_tone),
                )
            ),
        ),
        AnswerGroup(
            "schedule",
            "Schedule and payment",
            (
                (
                    "When",
                    join(choice_labels(choices.Hours, intake.hours))
                    + (" (only)" if intake.hours_required else ""),
                ),
                (
                    "Paying with",
                    join(choice_labels(choices.Payment, intake.payment_methods))
                    + (" (only)" if intake.payment_required else ""),
                ),
                ("Insurance", label(choices.InsuranceCarrier, intake.insurance_carrier)),
                (
                    "Self-pay budget",
                    none
                    if intake.self_pay_budget_dollars is None
                    else f"${intake.self_pay_budget_dollars} per session",
                ),
            ),
        ),
        AnswerGroup("priorities", "What matters most", tuple(importance_rows)),
    ]
