from __future__ import annotations

from typing import Any

from django import forms

from alliance.choices import STYLE_DIMENSIONS, STYLE_TITLES, style_scale_choices
from alliance.models import (
    CHECKIN_NOTE_MAX_CHARS,
    RATING_FIELDS,
    RATING_MAX,
    WELLBEING_FIELDS,
    AllianceApproach,
)
from profiles.fields import PlainTextarea

STYLE_PARTS = {
    "usual": "where you usually work",
    "low": "how far you adapt, from",
    "high": "how far you adapt, to",
}
STYLE_FIELDS = [f"style_{dim}_{part}" for dim in STYLE_DIMENSIONS for part in STYLE_PARTS]


def _style_field(dimension: str, part: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{STYLE_TITLES[dimension]}: {STYLE_PARTS[part]}",
        choices=[("", "Not said"), *style_scale_choices(dimension)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class AllianceApproachForm(forms.ModelForm):
    class Meta:
        model = AllianceApproach
        fields = [
            "respect_trust",
            "collaboration",
            "empathy",
            "adaptability",
            "practices",
            *STYLE_FIELDS,
        ]
        labels = {
            "respect_trust": "How you build respect and trust",
            "collaboration": "How you collaborate with clients",
            "empathy": "How you show empathy",
            "adaptability": "How you adapt when something is not working",
            "practices": "Practices you follow",
        }
        help_texts = dict.fromkeys(
            ("respect_trust", "collaboration", "empathy", "adaptability"),
            "Up to 600 characters, in your own words. Shown as plain text.",
        )
        widgets = {
            name: PlainTextarea(attrs={"rows": 4})
            for name in ("respect_trust", "collaboration", "empathy", "adaptability")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in STYLE_DIMENSIONS:
            for part in STYLE_PARTS:
                self.fields[f"style_{dim}_{part}"] = _style_field(dim, part)
            self.fields[f"style_{dim}_usual"].help_text = (
                "Responders say how they want therapy to work; those whose wish falls within "
                "how far you adapt fit you fully."
                if dim == STYLE_DIMENSIONS[0]
                else ""
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for dim in STYLE_DIMENSIONS:
            names = [f"style_{dim}_{part}" for part in STYLE_PARTS]
            if any(name in self.errors for name in names):
                continue
            usual, low, high = (cleaned.get(name) for name in names)
            given = [value is not None for value in (usual, low, high)]
            if any(given) and not all(given):
                missing = names[given.index(False)]
                self.add_error(
                    missing,
                    f"Give all three for {STYLE_TITLES[dim].lower()}, or leave all three empty.",
                )
            elif all(given) and not low <= usual <= high:
                self.add_error(
                    names[0],
                    "Where you usually work must lie within how far you adapt (from, to).",
                )
        return cleaned


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
