"""Reads of the matching app: a responder's answers, therapists as responders see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from alliance.choices import PRACTICE_TRAIT, Practice, Trait
from alliance.models import AllianceApproach
from matching.intake import IMPORTANCE_KEYS, Intake
from profiles import choices
from profiles.models import License, ResponderProfile, ResponderTraining, TherapistProfile, User
from profiles.selectors import license_valid_q
from profiles.services.accounts import answers_from_session


def intake_for_request(request: HttpRequest) -> Intake:
    """The answers of whoever is asking: a responder's profile, or the visitor's session."""
    user = request.user
    if user.is_authenticated and user.role == User.Role.RESPONDER:
        profile = ResponderProfile.objects.filter(user=user).only("answers").first()
        return Intake.from_dict(profile.answers if profile else None)
    return Intake.from_dict(answers_from_session(session=request.session))


def _labels(choice_class: type, values: frozenset[str] | set[str]) -> list[str]:
    lookup = dict(choice_class.choices)
    order = {value: index for index, value in enumerate(choice_class.values)}
    return [lookup[v] for v in sorted(values, key=lambda v: order.get(v, 99)) if v in lookup]


@dataclass(frozen=True)
class AnswerGroup:
    step: str
    title: str
    rows: tuple[tuple[str, str], ...]


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
                (
                    "Years of service",
                    none if intake.years_of_service is None else str(intake.years_of_service),
                ),
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
            (("Concerns", join(_labels(choices.Concern, intake.concerns))),),
        ),
        AnswerGroup(
            "preferences",
            "Preferences",
            (
                ("Methods wanted", join(_labels(choices.Method, intake.methods_wanted))),
                ("Methods to avoid", join(_labels(choices.Method, intake.methods_avoided))),
                (
                    "Therapist's gender",
                    label(choices.Gender, intake.therapist_gender)
                    + (" (only)" if intake.gender_required else ""),
                ),
                (
                    "Languages",
                    join(_labels(choices.Language, intake.languages))
                    + (" (only)" if intake.language_required else ""),
                ),
                (
                    "Agency evaluators",
                    "Leave them out" if intake.avoid_agency_evaluators else "No preference",
                ),
            ),
        ),
        AnswerGroup(
            "schedule",
            "Schedule and payment",
            (
                ("When", join(_labels(choices.Hours, intake.hours))),
                (
                    "Paying with",
                    join(_labels(choices.Payment, intake.payment_methods))
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


@dataclass(frozen=True)
class PublicProfile:
    """A therapist as responders see them: verified facts marked, the rest self-reported."""

    therapist: TherapistProfile
    verified_licenses: tuple[License, ...]
    trainings: tuple[ResponderTraining, ...]
    alliance: AllianceApproach | None
    licensed_states: tuple[str, ...]

    @property
    def telehealth_states(self) -> list[str]:
        states = self.therapist.telehealth_states & set(self.licensed_states)
        return _labels(choices.State, states)

    @property
    def practices_by_trait(self) -> list[tuple[str, str, list[str]]]:
        if self.alliance is None:
            return []
        groups = []
        for trait in Trait:
            practices = [
                Practice(p).label
                for p in Practice.values
                if p in self.alliance.practices and PRACTICE_TRAIT[p] == trait
            ]
            groups.append((trait.label, self.alliance.statement(trait), practices))
        return groups

    def _labels_of(self, field: str) -> list[str]:
        value = getattr(self.therapist, field)
        return _labels(self.therapist._meta.get_field(field).choice_class, value)

    @property
    def service_labels(self) -> list[str]:
        return self._labels_of("services_served")

    @property
    def agency_work_labels(self) -> list[str]:
        return self._labels_of("agency_work")

    @property
    def lived_experience_labels(self) -> list[str]:
        return self._labels_of("lived_experience")

    @property
    def evaluation_labels(self) -> list[str]:
        return self._labels_of("agency_evaluations")

    @property
    def concern_labels(self) -> list[str]:
        return self._labels_of("focus_concerns")

    @property
    def format_labels(self) -> list[str]:
        return self._labels_of("formats")

    @property
    def language_labels(self) -> list[str]:
        return self._labels_of("languages")

    @property
    def hours_labels(self) -> list[str]:
        return self._labels_of("hours")

    @property
    def payment_labels(self) -> list[str]:
        return self._labels_of("payment_methods")

    @property
    def carrier_labels(self) -> list[str]:
        return self._labels_of("insurance_carriers")

    @property
    def method_levels(self) -> list[tuple[str, str]]:
        therapist = self.therapist
        return [
            (method.label, "certified" if method in therapist.methods_certified else "trained")
            for method in choices.Method
            if method in therapist.methods_trained
        ]

    @property
    def fee_text(self) -> str:
        low, high = self.therapist.fee_min_dollars, self.therapist.fee_max_dollars
        if low is not None and high is not None:
            return f"${low}" if low == high else f"${low} to ${high}"
        if low is not None:
            return f"From ${low}"
        if high is not None:
            return f"Up to ${high}"
        return ""


def therapist_public_profile(*, therapist: TherapistProfile) -> PublicProfile:
    """Gather what a profile page shows, in a fixed number of queries."""
    licenses = tuple(therapist.licenses.filter(license_valid_q()).order_by("state", "license_type"))
    trainings = tuple(
        therapist.trainings.exclude(status="rejected").order_by("-status", "-completed_on")
    )
    alliance = AllianceApproach.objects.filter(therapist=therapist).first()
    return PublicProfile(
        therapist=therapist,
        verified_licenses=licenses,
        trainings=trainings,
        alliance=alliance,
        licensed_states=tuple(sorted({license.state for license in licenses})),
    )
