"""A responder's answers to the intake: what matching needs to rank therapists for them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from alliance.choices import Trait
from profiles import choices

RESPONDER_CULTURE = "responder_culture"
IMPORTANCE_KEYS: tuple[str, ...] = (*(trait.value for trait in Trait), RESPONDER_CULTURE)
IMPORTANCE_DEFAULT = 2
IMPORTANCE_MAX = 3
TRAVEL_MILES_DEFAULT = 25
TRAVEL_MILES_MAX = 200
SET_FIELDS = frozenset(
    {"concerns", "methods_wanted", "methods_avoided", "languages", "hours", "payment_methods"}
)


def _default_importance() -> dict[str, int]:
    return dict.fromkeys(IMPORTANCE_KEYS, IMPORTANCE_DEFAULT)


@dataclass(frozen=True)
class Intake:
    """Everything a responder told us; every answer may be left out."""

    service: str = ""
    service_status: str = ""
    state: str = ""
    zip_code: str = ""
    travel_miles: int = TRAVEL_MILES_DEFAULT
    format_preference: str = choices.FormatPreference.EITHER
    concerns: frozenset[str] = frozenset()
    methods_wanted: frozenset[str] = frozenset()
    methods_avoided: frozenset[str] = frozenset()
    therapist_gender: str = ""
    gender_required: bool = False
    languages: frozenset[str] = frozenset()
    language_required: bool = False
    avoid_fitness_evaluators: bool = False
    avoid_preemployment_evaluators: bool = False
    hours: frozenset[str] = frozenset()
    hours_required: bool = False
    payment_methods: frozenset[str] = frozenset()
    insurance_carrier: str = ""
    self_pay_budget_dollars: int | None = None
    payment_required: bool = False
    # How they want therapy to work, 1 to 5 between two poles; None: no preference.
    style_lead: int | None = None
    style_focus: int | None = None
    style_pace: int | None = None
    style_tone: int | None = None
    importance: dict[str, int] = field(default_factory=_default_importance)

    @property
    def style(self) -> dict[str, int]:
        """The style dimensions the responder has a preference on."""
        values = {
            "lead": self.style_lead,
            "focus": self.style_focus,
            "pace": self.style_pace,
            "tone": self.style_tone,
        }
        return {dim: value for dim, value in values.items() if value is not None}

    @property
    def avoids_evaluators(self) -> bool:
        return self.avoid_fitness_evaluators or self.avoid_preemployment_evaluators

    @property
    def is_ready(self) -> bool:
        """Ranking needs at least the state the responder is in."""
        return bool(self.state)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in SET_FIELDS:
            data[name] = sorted(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Intake:
        """Read stored answers, ignoring keys this version no longer knows."""
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        if data.get("avoid_agency_evaluators"):
            # Answers kept before the question was split into its two kinds of evaluation.
            data = {
                **data,
                "avoid_fitness_evaluators": True,
                "avoid_preemployment_evaluators": True,
            }
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                continue
            values[name] = frozenset(value) if name in SET_FIELDS else value
        intake = cls(**values)
        importance = {**_default_importance(), **(intake.importance or {})}
        return replace(intake, importance={k: importance[k] for k in IMPORTANCE_KEYS})

    def updated(self, **changes: Any) -> Intake:
        return replace(self, **changes)
