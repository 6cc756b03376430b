"""The intake, one short form per step (the ranked list's filters: refine.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from alliance.choices import Trait
from matching.intake import (
    IMPORTANCE_KEYS,
    RESPONDER_CULTURE,
    TRAVEL_MILES_DEFAULT,
    TRAVEL_MILES_MAX,
    Intake,
)
from profiles import choices
from profiles.fields import ChoiceSetFormField
from profiles.geo import zip_place

NO_PREFERENCE = [("", "No preference")]
IMPORTANCE_CHOICES = [
    ("0", "Not important"),
    ("1", "Somewhat"),
    ("2", "Important"),
    ("3", "Matters most"),
]
IMPORTANCE_LABELS = {
    Trait.RESPECT_TRUST.value: (
        "Respect and trust: they keep what I say private and treat me as an equal"
    ),
    Trait.COLLABORATION.value: "Collaboration: we decide the goals and the plan together",
    Trait.EMPATHY.value: "Empathy: they get what I have seen and do not flinch",
    Trait.ADAPTABILITY.value: "Adaptability: they change course when something is not working",
    RESPONDER_CULTURE: "They understand responder culture",
}


def checkboxes(choice_class: type, label: str, **kwargs: Any) -> ChoiceSetFormField:
    return ChoiceSetFormField(label=label, choices=choice_class.choices, **kwargs)


class IntakeStepForm(forms.Form):
    """A step of the intake: built from the current answers, giving back what changed."""

    title = ""
    intro = ""

    @classmethod
    def initial_from(cls, intake: Intake) -> dict[str, Any]:
        return {name: getattr(intake, name) for name in cls.base_fields if hasattr(intake, name)}

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class WorkForm(IntakeStepForm):
    title = "Your work"
    intro = "This helps us find therapists who know your kind of calls."

    service = forms.ChoiceField(
        label="Your service",
        choices=choices.Service.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    service_status = forms.ChoiceField(
        label="Are you serving now?",
        choices=choices.ServiceStatus.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Retired responders are matched with therapists who work with retirees too.",
    )


class PlaceForm(IntakeStepForm):
    title = "Where and how you want to meet"
    intro = "Therapists must be licensed in your state. Your ZIP code is used only for distance."

    state = forms.ChoiceField(
        label="State or territory you live in",
        choices=[("", "Choose…"), *choices.State.choices],
        error_messages={"required": "Choose your state: therapists must be licensed in it."},
    )
    zip_code = forms.CharField(
        label="ZIP code",
        max_length=5,
        required=False,
        help_text="Five digits. Only needed to meet in person.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    format_preference = forms.ChoiceField(
        label="How would you like to meet?",
        choices=choices.FormatPreference.choices,
        widget=forms.RadioSelect,
        initial=choices.FormatPreference.EITHER,
    )
    travel_miles = forms.IntegerField(
        label="How far would you travel, in miles?",
        min_value=1,
        max_value=TRAVEL_MILES_MAX,
        initial=TRAVEL_MILES_DEFAULT,
    )

    def clean_zip_code(self) -> str:
        zip_code = self.cleaned_data["zip_code"].strip()
        if not zip_code:
            return ""
        if not zip_code.isdigit() or len(zip_code) != 5:
            raise ValidationError("Enter five digits, like 80202.")
        if zip_place(zip_code) is None:
            raise ValidationError(f"We do not know the ZIP code {zip_code}. Check the digits.")
        return zip_code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zip_code, state = cleaned.get("zip_code"), cleaned.get("state")
        if zip_code and state:
            place = zip_place(zip_code)
            if place and place.state != state:
                where = dict(choices.State.choices).get(place.state, place.state)
                self.add_error(
                    "zip_code",
                    f"{zip_code} is in {where}, not {choices.State(state).label}. "
                    "Check the ZIP code or the state.",
                )
        wants_in_person = cleaned.get("format_preference") == choices.FormatPreference.IN_PERSON
        if wants_in_person and not zip_code and "zip_code" not in self.errors:
            self.add_error("zip_code", "Enter your ZIP code so we can find offices near you.")
        return cleaned


class ConcernsForm(IntakeStepForm):
    title = "What you are dealing with"
    intro = "Choose any that fit. You can skip this; nobody outside Rapport sees it."

    concerns = checkboxes(choices.Concern, "What brings you here")
    in_crisis = forms.BooleanField(
        label="I am having thoughts of suicide or of hurting myself, or I am in crisis now",
        required=False,
    )

    def changes(self) -> dict[str, Any]:
        # The crisis answer only decides what is shown next; it is never stored.
        return {"concerns": frozenset(self.cleaned_data["concerns"])}


class PreferencesForm(IntakeStepForm):
    title = "Your preferences"
    intro = "Wishes raise a therapist in the list; a box marked “only” filters the list."

    methods_wanted = checkboxes(choices.Method, "Methods you would like")
    methods_avoided = checkboxes(choices.Method, "Methods you would rather avoid")
    therapist_gender = forms.ChoiceField(
        label="Therapist's gender",
        choices=[*NO_PREFERENCE, *choices.Gender.choices[:3]],
        widget=forms.RadioSelect,
        required=False,
    )
    gender_required = forms.BooleanField(
        label="Only show therapists of this gender", required=False
    )
    languages = checkboxes(choices.Language, "Languages you would like to speak in session")
    language_required = forms.BooleanField(
        label="Only show therapists who speak one of these", required=False
    )
    avoid_fitness_evaluators = forms.BooleanField(
        label="Leave out therapists who evaluate fitness for duty for agencies",
        required=False,
        help_text="Such a therapist could one day be asked to judge whether you can work.",
    )
    avoid_preemployment_evaluators = forms.BooleanField(
        label="Leave out therapists who do pre-employment screening for agencies",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        both = set(cleaned.get("methods_wanted") or []) & set(cleaned.get("methods_avoided") or [])
        if both:
            names = ", ".join(choices.Method(value).label for value in sorted(both))
            self.add_error("methods_avoided", f"You also chose to want: {names}. Pick one.")
        if cleaned.get("gender_required") and not cleaned.get("therapist_gender"):
            self.add_error("gender_required", "Choose a gender above, or untick this box.")
        if cleaned.get("language_required") and not cleaned.get("languages"):
            self.add_error("language_required", "Choose a language above, or untick this box.")
        return cleaned

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        for name in ("methods_wanted", "methods_avoided", "languages"):
            data[name] = frozenset(data[name])
        return data


# The responder's side of the four style scales, in Rapport's own words: each point a
# sentence a responder would say.
RESPONDER_STYLE_CHOICES = {
    "lead": (
        "My therapist brings a plan, structure and practice between sessions",
        "Mostly my therapist's plan, with room for what comes up",
        "Half and half: a plan, and room for what comes up",
        "Mostly I bring what is on my mind, with a little structure",
        "I lead: we talk about what comes up",
    ),
    "focus": (
        "Skills for right now",
        "Mostly skills for now, with some looking back",
        "Both: skills for now, and making sense of what happened",
        "Mostly making sense of what happened, with some skills",
        "Making sense of what happened and why",
    ),
    "pace": (
        "Go straight at the hard things",
        "Get to the hard things soon",
        "A steady pace",
        "Take it slowly at first",
        "Take it slow and build trust first",
    ),
    "tone": (
        "Warm and encouraging",
        "Mostly warm, and direct when it counts",
        "Warm but direct",
        "Mostly direct, with warmth",
        "Direct: challenges me",
    ),
}
RESPONDER_STYLE_QUESTIONS = {
    "lead": "Who leads",
    "focus": "What to focus on",
    "pace": "How fast",
    "tone": "The tone you want",
}


def style_scale(dimension: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=RESPONDER_STYLE_QUESTIONS[dimension],
        choices=[
            ("", "No preference"),
            *((str(n), words) for n, words in enumerate(RESPONDER_STYLE_CHOICES[dimension], 1)),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class StyleForm(IntakeStepForm):
    title = "How you want therapy to work"
    intro = (
        "There is no right answer. Therapists say how they work and how far they adapt; "
        "“No preference” changes nobody's place."
    )

    style_lead = style_scale("lead")
    style_focus = style_scale("focus")
    style_pace = style_scale("pace")
    style_tone = style_scale("tone")


class ScheduleForm(IntakeStepForm):
    title = "When you can meet and how you pay"
    intro = "Shift work is normal here. Choose every time that could work."

    hours = checkboxes(choices.Hours, "When you can meet")
    payment_methods = checkboxes(choices.Payment, "How you would pay")
    insurance_carrier = forms.ChoiceField(
        label="Your insurance carrier",
        choices=[("", "Not using insurance"), *choices.InsuranceCarrier.choices],
        required=False,
    )
    self_pay_budget_dollars = forms.IntegerField(
        label="If paying yourself, your budget per session ($)",
        min_value=0,
        max_value=1000,
        required=False,
    )
    hours_required = forms.BooleanField(
        label="Only show therapists who offer one of these times", required=False
    )
    payment_required = forms.BooleanField(
        label="Only show therapists I can pay one of these ways", required=False
    )
    field_order = [
        "hours",
        "hours_required",
        "payment_methods",
        "insurance_carrier",
        "self_pay_budget_dollars",
        "payment_required",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("hours_required") and not cleaned.get("hours"):
            self.add_error("hours_required", "Choose a time above, or untick this box.")
        payments = set(cleaned.get("payment_methods") or [])
        if cleaned.get("insurance_carrier") and choices.Payment.INSURANCE not in payments:
            payments.add(choices.Payment.INSURANCE)
            cleaned["payment_methods"] = sorted(payments)
        if cleaned.get("payment_required") and not payments:
            self.add_error("payment_required", "Choose how you would pay, or untick this box.")
        return cleaned

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        data["hours"] = frozenset(data["hours"])
        data["payment_methods"] = frozenset(data["payment_methods"])
        return data


class PrioritiesForm(IntakeStepForm):
    title = "What matters most to you in a therapist"
    intro = "Tell us how much each one matters. It changes the order of your list."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in IMPORTANCE_KEYS:
            self.fields[key] = forms.ChoiceField(
                label=IMPORTANCE_LABELS[key],
                choices=IMPORTANCE_CHOICES,
                widget=forms.RadioSelect,
            )

    @classmethod
    def initial_from(cls, intake: Intake) -> dict[str, Any]:
        return {key: str(intake.importance[key]) for key in IMPORTANCE_KEYS}

    def changes(self) -> dict[str, Any]:
        return {"importance": {key: int(self.cleaned_data[key]) for key in IMPORTANCE_KEYS}}


INTAKE_STEPS: dict[str, type[IntakeStepForm]] = {
    "work": WorkForm,
    "place": PlaceForm,
    "concerns": ConcernsForm,
    "preferences": PreferencesForm,
    "style": StyleForm,
    "schedule": ScheduleForm,
    "priorities": PrioritiesForm,
}
# The place step cannot be skipped: therapists are listed by state.
REQUIRED_STEPS = frozenset({"place"})
