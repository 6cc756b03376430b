from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField, BoundWidget

from alliance.choices import STYLE_DIMENSIONS, STYLE_POLES, STYLE_TITLES, style_scale_choices
from alliance.models import (
    CHECKIN_NOTE_MAX_CHARS,
    RATING_FIELDS,
    RATING_MAX,
    WELLBEING_FIELDS,
    AllianceApproach,
)
from profiles.fields import PlainTextarea

STYLE_PARTS = ("usual", "low", "high")
# What the model stores for each scale; the form asks two things instead (see below).
STYLE_FIELDS = [f"style_{dim}_{part}" for dim in STYLE_DIMENSIONS for part in STYLE_PARTS]
STATEMENT_FIELDS = ("respect_trust", "collaboration", "empathy", "adaptability")
STYLE_INTRO = (
    "Responders can say how they want therapy to work, on four scales. On each, pick where "
    "you usually work, and tick every other point you can work at when a client needs it. "
    "Those who ask for a point you ticked fit you fully; the further outside, the less. "
    "You can leave a scale unsaid."
)


def _points(dimension: str) -> list[int]:
    return [int(value) for value, _ in style_scale_choices(dimension)]


@dataclass(frozen=True)
class StylePoint:
    number: int
    words: str
    usual: BoundWidget
    can_work: BoundWidget


@dataclass(frozen=True)
class StyleScale:
    """One scale of the working-style block, for its template: each point once, with the
    radio for "usually" and the box for "can work here" side by side."""

    dimension: str
    title: str
    poles: tuple[str, str]
    usual: BoundField
    can_work: BoundField
    points: tuple[StylePoint, ...]
    not_said: BoundWidget


class AllianceApproachForm(forms.ModelForm):
    """The four statements, the practices, and the working style on four scales.

    Each scale is one question with two parts on the same five points: where the therapist
    usually works (a radio) and every point they can work at (boxes). The model keeps
    (usual, low, high): the range runs from the lowest to the highest point given, the usual
    point included, and must have no gap.
    """

    class Meta:
        model = AllianceApproach
        fields = [*STATEMENT_FIELDS, "practices"]
        labels = {
            "respect_trust": "How you build respect and trust",
            "collaboration": "How you collaborate with clients",
            "empathy": "How you show empathy",
            "adaptability": "How you adapt when something is not working",
            "practices": "Practices you follow",
        }
        help_texts = dict.fromkeys(
            STATEMENT_FIELDS, "Up to 600 characters, in your own words. Shown as plain text."
        )
        widgets = {name: PlainTextarea(attrs={"rows": 4}) for name in STATEMENT_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in STYLE_DIMENSIONS:
            style = self.instance.style(dim)
            points = [(str(n), str(n)) for n in _points(dim)]
            self.fields[f"style_{dim}_usual"] = forms.TypedChoiceField(
                label=f"{STYLE_TITLES[dim]}: where you usually work",
                choices=[*points, ("", "Not said")],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=str(style[0]) if style else "",
            )
            self.fields[f"style_{dim}_range"] = forms.TypedMultipleChoiceField(
                label=f"{STYLE_TITLES[dim]}: every point you can work at",
                choices=points,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=[str(n) for n in range(style[1], style[2] + 1)] if style else [],
            )

    def statement_fields(self) -> list[BoundField]:
        """The statements and practices, shown as every other field is."""
        return [self[name] for name in self.Meta.fields]

    def style_scales(self) -> list[StyleScale]:
        scales = []
        for dim in STYLE_DIMENSIONS:
            usual, can_work = self[f"style_{dim}_usual"], self[f"style_{dim}_range"]
            radios = list(usual.subwidgets)
            boxes = list(can_work.subwidgets)
            words = dict(style_scale_choices(dim))
            scales.append(
                StyleScale(
                    dimension=dim,
                    title=STYLE_TITLES[dim],
                    poles=STYLE_POLES[dim],
                    usual=usual,
                    can_work=can_work,
                    points=tuple(
                        StylePoint(number=n, words=words[str(n)], usual=radio, can_work=box)
                        for n, radio, box in zip(_points(dim), radios, boxes, strict=False)
                    ),
                    not_said=radios[-1],
                )
            )
        return scales

    @property
    def style_intro(self) -> str:
        return STYLE_INTRO

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for dim in STYLE_DIMENSIONS:
            usual_name, range_name = f"style_{dim}_usual", f"style_{dim}_range"
            if usual_name in self.errors or range_name in self.errors:
                continue
            usual, ticked = cleaned.get(usual_name), set(cleaned.get(range_name) or ())
            try:
                low, high = style_range(
                    dimension=dim, usual=usual, ticked=ticked, title=STYLE_TITLES[dim]
                )
            except forms.ValidationError as error:
                self.add_error(usual_name if usual is None else range_name, error)
                continue
            for part, value in zip(STYLE_PARTS, (usual, low, high), strict=True):
                setattr(self.instance, f"style_{dim}_{part}", value)
        return cleaned

    def approach_fields(self) -> dict[str, Any]:
        """Every stored value the form edits, for the service that saves them."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields |= {name: getattr(self.instance, name) for name in STYLE_FIELDS}
        return fields


def style_range(
    *, dimension: str, usual: int | None, ticked: set[int], title: str
) -> tuple[int | None, int | None]:
    """The (low, high) of a scale from the usual point and the points ticked, or an error
    that names what is wrong. Nothing given is a scale left unsaid: (None, None)."""
    if usual is None:
        if ticked:
            raise forms.ValidationError(
                f"Pick where you usually work on “{title}” (the “Usually” column), or untick "
                f"its boxes to leave it unsaid.",
                code="usual_missing",
            )
        return None, None
    points = ticked | {usual}
    low, high = min(points), max(points)
    gaps = [n for n in range(low, high + 1) if n not in points]
    if gaps:
        words = dict(style_scale_choices(dimension))
        raise forms.ValidationError(
            f"On “{title}” the points you can work at have a gap: {_and(gaps, words)} "
            f"{'is' if len(gaps) == 1 else 'are'} not ticked, between {low} and {high}. Tick "
            f"{'it' if len(gaps) == 1 else 'them'}, or untick the points beyond.",
            code="range_gap",
        )
    return low, high


def _and(numbers: list[int], words: dict[str, str]) -> str:
    named = [f"“{words[str(n)]}”" for n in numbers]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


# Rapport's own words for each item; 0 means not at all, 10 means completely.
CHECKIN_ITEMS = {
    "respect_trust": "I can tell them hard things, and they treat what I say with respect.",
    "collaboration": "We decide together what our sessions are for.",
    "empathy": "They get what my job puts me through.",
    "adaptability": "When something does not work for me, they try another way.",
    "fit": "The way we work fits me.",
}


class ScaleRadioSelect(forms.RadioSelect):
    """A 0 to 10 answer as a row of large tap targets, with the words of each end.

    A radio group (in the field's fieldset and legend), so arrow keys move along it and a
    screen reader names the question, the number and, at the ends, what it means.
    """

    template_name = "includes/widgets/scale.html"

    def __init__(self, low: str, high: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.low, self.high = low, high

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"].update(low=self.low, high=self.high, top=str(RATING_MAX))
        return context


def _scale(
    label: str, low: str, high: str, *, optional: bool, out_of_range: str
) -> forms.TypedChoiceField:
    numbers = [(str(n), str(n)) for n in range(RATING_MAX + 1)]
    return forms.TypedChoiceField(
        label=label,
        choices=[*numbers, ("", "No answer")] if optional else numbers,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": out_of_range},
        widget=ScaleRadioSelect(low=low, high=high),
    )


def _rating(name: str) -> forms.TypedChoiceField:
    return _scale(
        CHECKIN_ITEMS[name],
        "Not at all",
        "Completely",
        optional=False,
        out_of_range="Choose a number from 0 to 10.",
    )


# The optional questions on how things are going for the responder, in Rapport's own words;
# 0 means very badly, 10 means very well. Staff report only: never ranked, never shown to
# the therapist.
WELLBEING_ITEMS = {
    "wellbeing_overall": "Overall, how are things going for you these days?",
    "wellbeing_work": "How are things going at work?",
    "wellbeing_home": "How are things going at home?",
    "wellbeing_sleep": "How well are you sleeping?",
}
WELLBEING_OUT_OF_RANGE = "Choose a whole number from 0 to 10, or leave it empty."


def _wellbeing(name: str) -> forms.TypedChoiceField:
    return _scale(
        WELLBEING_ITEMS[name],
        "Very badly",
        "Very well",
        optional=True,
        out_of_range=WELLBEING_OUT_OF_RANGE,
    )


class CheckInForm(forms.Form):
    """A check-in: have you met, five items from 0 to 10, still seeing them, how things are
    going for you (optional), a private note."""

    met = forms.TypedChoiceField(
        label="Have you met them yet?",
        choices=[("yes", "Yes"), ("not_yet", "Not yet")],
        widget=forms.RadioSelect,
    )
    respect_trust = _rating("respect_trust")
    collaboration = _rating("collaboration")
    empathy = _rating("empathy")
    adaptability = _rating("adaptability")
    fit = _rating("fit")
    still_seeing = forms.TypedChoiceField(
        label="Are you still seeing them?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        required=False,
    )
    wellbeing_overall = _wellbeing("wellbeing_overall")
    wellbeing_work = _wellbeing("wellbeing_work")
    wellbeing_home = _wellbeing("wellbeing_home")
    wellbeing_sleep = _wellbeing("wellbeing_sleep")
    note = forms.CharField(
        label="A note for yourself (optional)",
        help_text="Only you can read it. It is never shared, not even when you share your answers.",
        required=False,
        max_length=CHECKIN_NOTE_MAX_CHARS,
        widget=PlainTextarea(attrs={"rows": 3}),
    )
    shared = forms.BooleanField(
        label="Share these answers with my therapist (not my note)",
        help_text=(
            "Off unless you tick it. Sharing helps them adapt how you work together. How "
            "things are going for you is never shared."
        ),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("met") != "yes":
            return data
        for name in RATING_FIELDS:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, "Choose a number from 0 to 10.")
        if data.get("still_seeing") not in ("yes", "no"):
            self.add_error("still_seeing", "Tell us whether you are still seeing them.")
        return data

    @property
    def ratings(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in RATING_FIELDS}

    @property
    def wellbeing(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name in WELLBEING_FIELDS}
